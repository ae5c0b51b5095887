package workload

import (
	"cmp"
	"slices"
)

// RevisionPlan is DecideRevisions' result: the instance count each
// revision should have, and the revisions to delete.
type RevisionPlan struct {
	// Scale is the replicas to write, by revision: the target's always,
	// and every other revision that stays.
	Scale map[int]int
	// Delete are revisions with no instance left to keep.
	Delete []int
	// Converged: Replicas available instances of the target revision,
	// settled, and no other revision left (but the kept one).
	Converged bool
	// Available counts the target's available instances.
	Available int
}

// DecideRevisions is Decide for a Platform: the same desired state,
// planned per revision instead of per instance. It is pure.
//
// It is a rolling update between revisions, as a Deployment rolls its
// own pods: the target grows while the total stays within
// Replicas+MaxSurge, and other revisions shrink (unavailable instances
// first, the Active revision last) while at least
// Replicas-MaxUnavailable instances stay available. The Keep revision
// is left as it is; a revision shrunk to nothing is deleted.
func DecideRevisions(d Desired, obs []RevisionStatus) RevisionPlan {
	p := RevisionPlan{Scale: map[int]int{}}
	if d.Removed {
		for _, o := range obs {
			p.Delete = append(p.Delete, o.Revision)
		}
		p.Converged = len(obs) == 0
		return p
	}
	var cur RevisionStatus
	var old []RevisionStatus
	found := false
	for _, o := range obs {
		switch o.Revision {
		case d.Revision:
			cur, found = o, true
		case d.Keep:
		default:
			old = append(old, o)
		}
	}
	oldReplicas, oldAvail := 0, 0
	for _, o := range old {
		oldReplicas += o.Replicas
		oldAvail += min(o.Available, o.Replicas)
	}
	surge := d.MaxSurge
	if surge == 0 && d.MaxUnavailable == 0 {
		surge = 1 // else nothing could move
	}
	target := d.Replicas
	if oldReplicas > 0 {
		target = min(d.Replicas, max(cur.Replicas, d.Replicas+surge-oldReplicas))
	}
	p.Scale[d.Revision] = target
	if found && cur.Settled {
		p.Available = min(cur.Available, target)
	}
	p.shrink(old, d, p.Available+oldAvail-(d.Replicas-d.MaxUnavailable))
	p.Converged = found && cur.Settled && cur.Replicas == d.Replicas && p.Available >= d.Replicas && len(old) == 0
	return p
}

// shrink scales the other revisions down: their unavailable instances
// freely, available ones within budget; the Active revision goes last.
func (p *RevisionPlan) shrink(old []RevisionStatus, d Desired, budget int) {
	slices.SortFunc(old, func(a, b RevisionStatus) int {
		if (a.Revision == d.Active) != (b.Revision == d.Active) {
			if a.Revision == d.Active {
				return 1
			}
			return -1
		}
		return cmp.Compare(a.Revision, b.Revision)
	})
	for _, o := range old {
		keep := min(o.Available, o.Replicas)
		cut := min(max(budget, 0), keep)
		keep -= cut
		budget -= cut
		if keep == 0 {
			p.Delete = append(p.Delete, o.Revision)
			continue
		}
		p.Scale[o.Revision] = keep
	}
}
