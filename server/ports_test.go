package server

import (
	"testing"
	"time"
)

func TestAPortIsNotHandedOutTwiceWithinAMinute(t *testing.T) {
	var f freePorts
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	if !f.reserve(40000, now) || f.reserve(40000, now.Add(59*time.Second)) {
		t.Fatal("a port was handed out twice within a minute")
	}
	if !f.reserve(40000, now.Add(61*time.Second)) {
		t.Fatal("a port stayed reserved past its minute")
	}
	seen := map[int]bool{}
	for range 50 {
		p, err := f.Allocate()
		if err != nil || seen[p] {
			t.Fatalf("Allocate: %d %v (seen before: %v)", p, err, seen[p])
		}
		seen[p] = true
	}
}
