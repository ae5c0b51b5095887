package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/slipway-dev/slipway/store"
)

// TestApprovalLinkWorksOnceForItsPromotion: a promotion reaching its
// approval gate writes one promotion.approval.waiting event naming it;
// a link for another promotion changes nothing; the link approves as its
// approver, once; a second use is refused.
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
	if _, err := w.c.ApproveLink(ctx, other, false); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a link for another promotion: %v", err)
	}
	use := store.LinkUse{Nonce: "n1", Action: "approve", Promotion: p.ID, By: "link:alice"}
	if _, err := w.c.ApproveLink(ctx, use, false); err != nil {
		t.Fatal(err)
	}
	if g := w.settle(p.ID).Gates[0]; g.State != store.GatePassed || g.ApprovedBy != "link:alice" {
		t.Fatalf("gate after the link: %+v", g)
	}
	if _, err := w.c.ApproveLink(ctx, use, false); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("the link used again: %v", err)
	}
}
