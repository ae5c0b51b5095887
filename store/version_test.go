package store

import (
	"errors"
	"testing"
	"time"
)

// TestSameSeesInPlaceChanges: a change through a pointer or a slice of
// an edited record is a change (fmt.Sprint, comparing pointers as
// addresses, missed these), and an equal record read again is the same.
func TestSameSeesInPlaceChanges(t *testing.T) {
	op := Operation{StoreVersion: 3, ID: 1, Failure: &Failure{Service: "a", Reason: "x"},
		Changes: []Change{{Service: "a", To: 2}}, CreatedAt: time.Unix(5, 0).UTC()}
	for name, edit := range map[string]func(o *Operation){
		"pointer field": func(o *Operation) { o.Failure.Reason = "y" },
		"slice element": func(o *Operation) { o.Changes[0].Done = true },
		"appended":      func(o *Operation) { o.Changes = append(o.Changes, Change{Service: "b"}) },
		"plain field":   func(o *Operation) { o.Message = "m" },
	} {
		before := Copy(op)
		after := Copy(op)
		if !Same(before, after) {
			t.Fatalf("%s: two copies differ", name)
		}
		edit(&after)
		if Same(before, after) {
			t.Errorf("%s: the change was not seen", name)
		}
	}
	if c := Copy(op); c.StoreVersion != 3 || c.Failure == op.Failure {
		t.Errorf("Copy: version %d, shares its failure: %v", c.StoreVersion, c.Failure == op.Failure)
	}
	moved := Copy(op)
	moved.StoreVersion = 4
	if !Same(op, moved) {
		t.Error("the store version alone made a difference")
	}
}

func TestCheckVersion(t *testing.T) {
	for _, c := range []struct {
		given, stored int64
		want          error
	}{
		{0, 0, nil}, {2, 2, nil}, {1, 2, ErrConflict}, {0, 1, ErrConflict}, {3, 0, ErrNotFound}, {3, 2, ErrConflict},
	} {
		err := CheckVersion("service", "a", c.given, c.stored)
		if (c.want == nil) != (err == nil) || (c.want != nil && !errors.Is(err, c.want)) {
			t.Errorf("given %d stored %d: %v, want %v", c.given, c.stored, err, c.want)
		}
	}
}
