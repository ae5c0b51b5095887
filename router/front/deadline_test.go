package front

import (
	"net"
	"testing"
	"time"
)

// TestSetDeadlineKeepsARecentDeadline: a keep-alive connection waiting
// for its next request moments after the last keeps the idle deadline it
// has, so long as that is at most lazyDeadline sooner; one further off,
// a later one, or none, is set.
func TestSetDeadlineKeepsARecentDeadline(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	c := &clientConn{conn: a}
	t0 := time.Now()
	const idle, header = 120 * time.Second, 10 * time.Second
	steps := []struct {
		name string
		from time.Time
		d    time.Duration
		want time.Time
	}{
		{"first", t0, idle, t0.Add(idle)},
		{"1ms on: kept", t0.Add(time.Millisecond), idle, t0.Add(idle)},
		{"299ms on: kept", t0.Add(299 * time.Millisecond), idle, t0.Add(idle)},
		{"300ms on: moved", t0.Add(300 * time.Millisecond), idle, t0.Add(300*time.Millisecond + idle)},
		{"sooner: moved", t0.Add(301 * time.Millisecond), header, t0.Add(301*time.Millisecond + header)},
		{"none", t0.Add(302 * time.Millisecond), 0, time.Time{}},
		{"after none: set", t0.Add(303 * time.Millisecond), idle, t0.Add(303*time.Millisecond + idle)},
		{"short timeout, 1/16 on: moved", t0.Add(303*time.Millisecond + 100*time.Millisecond), 1600 * time.Millisecond, t0.Add(403*time.Millisecond + 1600*time.Millisecond)},
		{"short timeout, less on: kept", t0.Add(403*time.Millisecond + 99*time.Millisecond), 1600 * time.Millisecond, t0.Add(403*time.Millisecond + 1600*time.Millisecond)},
	}
	for _, s := range steps {
		c.setDeadline(s.from, s.d)
		if !c.readDeadline.Equal(s.want) {
			t.Errorf("%s: deadline %v, want %v", s.name, c.readDeadline.Sub(t0), s.want.Sub(t0))
		}
	}
}
