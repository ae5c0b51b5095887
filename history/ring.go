package history

import (
	"slices"
	"time"
)

// ring keeps the latest points, up to its capacity, oldest overwritten.
type ring struct {
	points []Point
	next   int // where the next point goes once the ring is full
}

func newRing(n int) *ring { return &ring{points: make([]Point, 0, n)} }

func (r *ring) add(p Point) {
	if len(r.points) < cap(r.points) {
		r.points = append(r.points, p)
		return
	}
	r.points[r.next] = p
	r.next = (r.next + 1) % len(r.points)
}

// since returns a copy of the points after t, oldest first. Points are
// values whose Revisions nobody mutates once added, so sharing those
// slices is safe.
func (r *ring) since(t time.Time) []Point {
	ordered := slices.Concat(r.points[r.next:], r.points[:r.next])
	i, _ := slices.BinarySearchFunc(ordered, t, func(p Point, t time.Time) int {
		if p.T.After(t) {
			return 1
		}
		return -1
	})
	return ordered[i:]
}
