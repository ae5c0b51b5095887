package workload

import (
	"reflect"
	"testing"
)

func TestDecideRevisions(t *testing.T) {
	rs := func(rev, replicas, avail int) RevisionStatus {
		return RevisionStatus{Revision: rev, Replicas: replicas, Available: avail, Settled: true}
	}
	for _, tc := range []struct {
		name      string
		d         Desired
		obs       []RevisionStatus
		scale     map[int]int
		del       []int
		converged bool
		available int
	}{
		{name: "first revision: all at once",
			d: Desired{Revision: 1, Replicas: 3, MaxSurge: 1}, scale: map[int]int{1: 3}},
		{name: "first revision ready: converged",
			d: Desired{Revision: 1, Replicas: 3, MaxSurge: 1}, obs: []RevisionStatus{rs(1, 3, 3)},
			scale: map[int]int{1: 3}, converged: true, available: 3},
		{name: "not settled: its ready count is not yet the new spec's",
			d: Desired{Revision: 1, Replicas: 3}, obs: []RevisionStatus{{Revision: 1, Replicas: 3, Available: 3}},
			scale: map[int]int{1: 3}},
		{name: "rolling starts within the surge, old keeps all",
			d: Desired{Revision: 2, Replicas: 4, MaxSurge: 1}, obs: []RevisionStatus{rs(1, 4, 4)},
			scale: map[int]int{2: 1, 1: 4}},
		{name: "rolling: one new available, one old goes",
			d: Desired{Revision: 2, Replicas: 4, MaxSurge: 1}, obs: []RevisionStatus{rs(1, 4, 4), rs(2, 1, 1)},
			scale: map[int]int{2: 1, 1: 3}, available: 1},
		{name: "rolling: old shrunk, new grows",
			d: Desired{Revision: 2, Replicas: 4, MaxSurge: 1}, obs: []RevisionStatus{rs(1, 3, 3), rs(2, 1, 1)},
			scale: map[int]int{2: 2, 1: 3}, available: 1},
		{name: "rolling: new all available, old deleted",
			d: Desired{Revision: 2, Replicas: 4, MaxSurge: 1}, obs: []RevisionStatus{rs(1, 1, 1), rs(2, 4, 4)},
			scale: map[int]int{2: 4}, del: []int{1}, available: 4},
		{name: "rolling: unavailable old instances go freely",
			d: Desired{Revision: 2, Replicas: 4, MaxSurge: 1}, obs: []RevisionStatus{rs(1, 4, 1)},
			scale: map[int]int{2: 1, 1: 1}},
		{name: "maxUnavailable lets old go before new is ready",
			d: Desired{Revision: 2, Replicas: 4, MaxUnavailable: 2}, obs: []RevisionStatus{rs(1, 4, 4)},
			scale: map[int]int{2: 0, 1: 2}},
		{name: "the active revision goes last",
			d: Desired{Revision: 3, Replicas: 2, MaxSurge: 2, Active: 1}, obs: []RevisionStatus{rs(1, 1, 1), rs(2, 1, 1), rs(3, 2, 1)},
			scale: map[int]int{3: 2, 1: 1}, del: []int{2}, available: 1},
		{name: "canary: kept stable untouched, candidate at its share",
			d: Desired{Revision: 2, Replicas: 1, MaxSurge: 1, Keep: 1, Active: 1}, obs: []RevisionStatus{rs(1, 4, 4)},
			scale: map[int]int{2: 1}},
		{name: "canary: candidate ready at its share converges beside kept stable",
			d: Desired{Revision: 2, Replicas: 1, Keep: 1, Active: 1}, obs: []RevisionStatus{rs(1, 4, 4), rs(2, 1, 1)},
			scale: map[int]int{2: 1}, converged: true, available: 1},
		{name: "rolled back: stable is the target again, candidate deleted",
			d: Desired{Revision: 1, Replicas: 4, MaxSurge: 1, Active: 1}, obs: []RevisionStatus{rs(1, 4, 4), rs(2, 2, 2)},
			scale: map[int]int{1: 4}, del: []int{2}, available: 4},
		{name: "removed: every revision deleted",
			d: Desired{Removed: true}, obs: []RevisionStatus{rs(1, 4, 4), rs(2, 1, 0)},
			scale: map[int]int{}, del: []int{1, 2}},
		{name: "removed and gone: converged",
			d: Desired{Removed: true}, scale: map[int]int{}, converged: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := DecideRevisions(tc.d, tc.obs)
			if !reflect.DeepEqual(p.Scale, tc.scale) || !reflect.DeepEqual(p.Delete, tc.del) ||
				p.Converged != tc.converged || p.Available != tc.available {
				t.Fatalf("got scale %v delete %v converged %v available %d\nwant scale %v delete %v converged %v available %d",
					p.Scale, p.Delete, p.Converged, p.Available, tc.scale, tc.del, tc.converged, tc.available)
			}
		})
	}
}
