package sqlite

import (
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/store"
)

func TestOldReleaseFlags(t *testing.T) {
	s := openOld(t, "slipway.db")
	view(t, s, func(tx store.Tx) error {
		all, err := tx.ListFlagConfigs(0)
		if err != nil || len(all) != 8 || all[0].Revision != 8 || all[7].Revision != 1 {
			t.Fatalf("flag configs: %d, %v", len(all), err)
		}
		c, err := tx.GetFlagConfig()
		if err != nil {
			t.Fatal(err)
		}
		checkOldOverrides(t, c.Overrides)
		checkOldFlags(t, c)
		r := c.Releases["fast-search"]
		if r == nil || r.Outcome != store.CanaryPromoted || r.Percent != 100 || r.Service != "api" ||
			len(r.Done) == 0 || len(r.Done[0].Metrics) != 1 || r.Done[0].Metrics[0].Name != "ok" {
			t.Errorf("fast-search's release: %+v", r)
		}
		return nil
	})
}

func checkOldOverrides(t *testing.T, o map[string]store.FlagOverride) {
	t.Helper()
	if !o["new-checkout"].Killed || o["banner-color"].Rollout["blue"] != 30 || o["banner-color"].Rollout["red"] != 70 ||
		o["max-items"].Enabled == nil || *o["max-items"].Enabled || o["premium"].Default != "gold" {
		t.Errorf("overrides: %+v", o)
	}
}

func checkOldFlags(t *testing.T, c store.FlagConfig) {
	t.Helper()
	nc := c.Flags["new-checkout"]
	if nc == nil || nc.Owner != "payments-team" || len(nc.Rules) != 2 || nc.Rules[1].Segment != "beta-testers" ||
		nc.Rollout["on"] != 25 || nc.Default != "off" || nc.Variants["on"].Value != true {
		t.Errorf("new-checkout: %+v", nc)
	}
	bc := c.Flags["banner-color"]
	if bc == nil || bc.Stickiness != "userId" || len(bc.Prerequisites) != 1 || bc.Prerequisites[0].Flag != "new-checkout" {
		t.Errorf("banner-color: %+v", bc)
	}
	if mi := c.Flags["max-items"]; mi == nil || mi.Variants["few"].Value != int64(10) {
		t.Errorf("max-items: %+v", mi)
	}
	gold, _ := c.Flags["premium"].Variants["gold"].Value.(map[string]any)
	if gold["discount"] != 0.2 || gold["support"] != true {
		t.Errorf("premium's gold variant: %#v", c.Flags["premium"].Variants["gold"])
	}
	fs := c.Flags["fast-search"]
	if fs == nil || fs.StaleAfter.Duration != 60*24*time.Hour || fs.Progressive == nil ||
		len(fs.Progressive.Steps) != 2 || fs.Progressive.Steps[0].Bake.Duration != time.Second {
		t.Errorf("fast-search: %+v", fs)
	}
	if seg := c.Segments["beta-testers"]; seg == nil || !strings.Contains(seg.If, "@shop.example") {
		t.Errorf("segments: %+v", c.Segments)
	}
}

// pushed is the digest of the version of order the old release pushed.
const pushed = "sha256:446438f2ef0728e38337f045ee325b3757f2e3e91781ae58ef58945f8bb974a7"

func TestOldReleasePipeline(t *testing.T) {
	s := openOld(t, "slipway.db")
	view(t, s, func(tx store.Tx) error {
		v, err := tx.GetVersion("order", "v1.0.0")
		// Versions stored before images had no kind: they are files.
		if err != nil || v.Kind != store.VersionFile || v.Image != "" || v.Digest != pushed || v.Size != 1306 || v.Path != "app.py" || v.Commit != "0123456789abcdef" ||
			!v.CommitTime.Equal(time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)) {
			t.Errorf("version: %+v, %v", v, err)
		}
		ps, err := tx.ListPromotions("order", false, 0)
		if err != nil || len(ps) != 2 {
			t.Fatalf("promotions: %d, %v", len(ps), err)
		}
		deploy, promo := ps[1], ps[0]
		if deploy.ID != 1 || deploy.From != "" || deploy.To != "dev" || deploy.State != store.PromotionSucceeded ||
			deploy.Revision != 2 || deploy.Operation != 2 {
			t.Errorf("promotion 1: %+v", deploy)
		}
		if promo.ID != 2 || promo.From != "dev" || promo.To != "staging" || promo.State != store.PromotionSucceeded ||
			promo.Digest != pushed || promo.FinishedAt.IsZero() || len(promo.Gates) != 3 {
			t.Fatalf("promotion 2: %+v", promo)
		}
		checkOldGates(t, promo.Gates)
		return nil
	})
}

func checkOldGates(t *testing.T, g []store.Gate) {
	t.Helper()
	for i, kind := range []string{"tests", "approval", "bake"} {
		if g[i].Kind != kind || g[i].State != store.GatePassed || g[i].Dir == "" {
			t.Errorf("gate %d: %+v, want %s Passed", i, g[i], kind)
		}
	}
	if d := g[0].Def.Tests; d == nil || d.Run != "./acceptance.sh" || d.Timeout.Duration != 10*time.Minute ||
		!strings.Contains(g[0].Output, "acceptance passed") {
		t.Errorf("tests gate: %+v", g[0])
	}
	if g[1].Def.Approval == nil || g[1].ApprovedBy == "" {
		t.Errorf("approval gate: %+v", g[1])
	}
	if g[2].Def.Bake == nil || g[2].Def.Bake.Duration != time.Second {
		t.Errorf("bake gate: %+v", g[2])
	}
}

// TestOldReleaseEnvironments reads dev's and staging's databases: each
// runs order's revision 2, the pushed version, deployed by a deploy
// operation that carries its promotion.
func TestOldReleaseEnvironments(t *testing.T) {
	for env, promotion := range map[string]int64{"dev": 1, "staging": 2} {
		s := openOld(t, "envs/"+env+"/slipway.db")
		view(t, s, func(tx store.Tx) error {
			svc, err := tx.GetService("order")
			if err != nil || svc.Revision != 2 || svc.Stable != 2 || svc.Phase != store.PhaseReady {
				t.Errorf("%s: order: %+v, %v", env, svc, err)
			}
			rev, err := tx.GetRevision("order", 2)
			if err != nil || rev.State != store.RevisionStable || rev.Spec.Artifact == nil ||
				rev.Spec.Artifact.Digest != pushed || rev.Spec.Artifact.Version != "v1.0.0" {
				t.Errorf("%s: order revision 2: %+v, %v", env, rev, err)
			}
			op, err := tx.GetOperation(2)
			if err != nil || op.Kind != store.KindDeploy || op.State != store.OperationSucceeded || op.Promotion != promotion {
				t.Errorf("%s: operation 2: %+v, %v", env, op, err)
			}
			evs, err := tx.ListEvents(0, "", 0)
			if err != nil || len(evs) != 16 {
				t.Errorf("%s: %d events, %v", env, len(evs), err)
			}
			return nil
		})
	}
	s := openOld(t, "envs/staging/slipway.db")
	view(t, s, func(tx store.Tx) error {
		rev, err := tx.GetRevision("order", 2)
		if err != nil || rev.Spec.Env["VERSION"] != "pipeline-staging" {
			t.Errorf("staging's override of order: %+v, %v", rev.Spec.Env, err)
		}
		return nil
	})
}
