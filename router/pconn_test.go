package router

import (
	"context"
	"net"
	"testing"
	"time"
)

// TestStartKeepsARecentDeadline: a connection taken again moments after
// its last request keeps the deadline that request set, so long as it
// is watchAfter to 1.5 watchAfter away and no later than the route's;
// otherwise it is set anew, 1.5 watchAfter away (or the route's).
func TestStartKeepsARecentDeadline(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	pc := newPconn(a, &connPool{}, "instance:80")
	ctx := context.Background()
	t0 := time.Now()
	far := t0.Add(time.Minute) // the route's timeout
	set := t0.Add(watchAfter + watchAfter/2)
	steps := []struct {
		name       string
		now, until time.Time
		want       time.Time
	}{
		{"first", t0, far, set},
		{"1ms on: kept", t0.Add(time.Millisecond), far, set},
		{"watchAfter/2 on: kept", t0.Add(watchAfter / 2), far, set},
		{"just over watchAfter/2 on: moved", t0.Add(watchAfter/2 + time.Microsecond), far, set.Add(watchAfter/2 + time.Microsecond)},
		{"the route's deadline sooner: moved", t0.Add(watchAfter), t0.Add(watchAfter + time.Millisecond), t0.Add(watchAfter + time.Millisecond)},
		{"the route's deadline within watchAfter: that", t0.Add(watchAfter), t0.Add(watchAfter + watchAfter/4), t0.Add(watchAfter + watchAfter/4)},
	}
	for _, s := range steps {
		if err := pc.start(ctx, s.until, s.now); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if !pc.deadline.Equal(s.want) {
			t.Errorf("%s: deadline %v, want %v", s.name, pc.deadline.Sub(t0), s.want.Sub(t0))
		}
	}
	pc.headersRead(false) // a body still to come: no deadline, watched
	pc.finish()
	if err := pc.start(ctx, far, t0.Add(watchAfter)); err != nil {
		t.Fatal(err)
	}
	if want := t0.Add(watchAfter + watchAfter + watchAfter/2); !pc.deadline.Equal(want) {
		t.Errorf("after a lifted deadline: %v, want %v", pc.deadline.Sub(t0), want.Sub(t0))
	}
}
