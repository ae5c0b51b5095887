package rollout

import (
	"testing"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// TestHealthTargetSpeaksTheRevisionsProtocol: an instance's http checks
// go over h2c exactly when its revision's route says h2c, as the
// router's requests do.
func TestHealthTargetSpeaksTheRevisionsProtocol(t *testing.T) {
	c := &Controller{}
	in := store.Instance{ID: "web-1", Port: 9001}
	for _, protocol := range []string{"", spec.ProtocolHTTP1, spec.ProtocolH2C} {
		rev := store.Revision{Spec: spec.Service{Route: spec.Route{Path: "/", Protocol: protocol}}}
		got := c.healthTarget(in, "/dir", rev)
		if want := protocol == spec.ProtocolH2C; got.H2C != want || got.Port != 9001 || got.ID != "web-1" {
			t.Errorf("protocol %q: target %+v, want H2C %v", protocol, got, want)
		}
	}
}
