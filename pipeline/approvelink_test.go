package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/store"
)

// TestApprovalLinkWorksOnceForItsPromotion: a promotion reaching its
// approval gate writes one promotion.approval.waiting event naming it;
// a link for another promotion, or for another gate of this one,
// changes nothing; the link approves as its approver, once; a second
// use is refused.
func TestApprovalLinkWorksOnceForItsPromotion(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.update(w.envs["staging"].Store, func(tx store.Tx) error { return w.run(tx, 2, "sha256:d2", "v2") })
	p, err := w.c.Promote(ctx, "order", "staging", "prod", "v2", "ana")
	if err != nil {
		t.Fatal(err)
	}
	p = w.settle(p.ID)
	w.settle(p.ID) // a pass that changes nothing writes no second event
	var waits []store.Event
	w.update(w.hub, func(tx store.Tx) error {
		waits, err = tx.ListEventsOfType(0, []store.EventType{store.EventPromotionAwaitingApproval}, 0)
		return err
	})
	var d store.PromotionData
	if len(waits) != 1 || json.Unmarshal(waits[0].Data, &d) != nil || d.ID != p.ID || d.To != "prod" || d.Gate == nil || *d.Gate != 0 {
		t.Fatalf("waiting events %+v (data %+v)", waits, d)
	}
	other := store.LinkUse{Nonce: "n-other", Action: "approve", Promotion: p.ID + 1, By: "link:bo"}
	if _, err := w.c.ApproveLink(ctx, other, 0, false); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a link for another promotion: %v", err)
	}
	otherGate := store.LinkUse{Nonce: "n-gate2", Action: "approve", Promotion: p.ID, By: "link:alice"}
	if _, err := w.c.ApproveLink(ctx, otherGate, 1, false); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a link for another gate: %v", err)
	}
	if g := w.settle(p.ID).Gates[0]; g.State != store.GatePending {
		t.Fatalf("gate after a link for another gate: %+v", g)
	}
	use := store.LinkUse{Nonce: "n1", Action: "approve", Promotion: p.ID, By: "link:alice"}
	if _, err := w.c.ApproveLink(ctx, use, 0, false); err != nil {
		t.Fatal(err)
	}
	if g := w.settle(p.ID).Gates[0]; g.State != store.GatePassed || g.ApprovedBy != "link:alice" {
		t.Fatalf("gate after the link: %+v", g)
	}
	if _, err := w.c.ApproveLink(ctx, use, 0, false); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("the link used again: %v", err)
	}
}

// TestApprovalLinkActsOnlyAtItsGate: a link made for a promotion's first
// approval gate and left unused while someone approved that gate by
// other means does not approve the promotion's second approval gate; the
// link made for the second one does.
func TestApprovalLinkActsOnlyAtItsGate(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	twoApprovals := strings.Replace(pipelineSpec, "{bake: 10m}", "{approval: {}}", 1)
	w.update(w.envs["prod"].Store, func(tx store.Tx) error {
		a, err := tx.GetApp()
		if err != nil {
			return err
		}
		a.Spec = twoApprovals
		return tx.PutApp(a)
	})
	w.update(w.envs["staging"].Store, func(tx store.Tx) error { return w.run(tx, 2, "sha256:d2", "v2") })
	p, err := w.c.Promote(ctx, "order", "staging", "prod", "v2", "ana")
	if err != nil {
		t.Fatal(err)
	}
	w.settle(p.ID)
	if _, err := w.c.Approve(ctx, "order", "prod", "ana", false, ""); err != nil {
		t.Fatal(err)
	}
	if p = w.settle(p.ID); p.Gates[0].State != store.GatePassed || p.Gates[1].State != store.GatePending {
		t.Fatalf("gates after approving the first: %+v", p.Gates)
	}
	first := store.LinkUse{Nonce: "n-first", Action: "approve", Promotion: p.ID, By: "link:alice"}
	if _, err := w.c.ApproveLink(ctx, first, 0, false); !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), "made for gate 1") {
		t.Fatalf("the first gate's link at the second gate: %v", err)
	}
	if g := w.settle(p.ID).Gates[1]; g.State != store.GatePending {
		t.Fatalf("second gate after the first gate's link: %+v", g)
	}
	second := store.LinkUse{Nonce: "n-second", Action: "approve", Promotion: p.ID, By: "link:alice"}
	if _, err := w.c.ApproveLink(ctx, second, 1, false); err != nil {
		t.Fatal(err)
	}
	if g := w.settle(p.ID).Gates[1]; g.State != store.GatePassed || g.ApprovedBy != "link:alice" {
		t.Fatalf("second gate after its link: %+v", g)
	}
}
