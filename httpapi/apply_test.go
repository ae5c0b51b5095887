package httpapi

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/api"
)

// flagsOnlySpec is a team's file of flags for app shop: no services.
const flagsOnlySpec = `app: shop
flags:
  new-checkout: {class: release, type: boolean, default: off}
`

// TestFlagsOnlyApply: a file of flags only applies its flags, starts no
// operation and says it keeps the services; it does not create an
// environment (its services' spec does).
func TestFlagsOnlyApply(t *testing.T) {
	a := newTestAPI(t, "")
	if resp, body := a.do(t, "POST", "/v1/apply", "", api.ApplyRequest{File: "slipway.yaml", Spec: goodSpec}); resp.StatusCode != http.StatusCreated {
		t.Fatalf("services apply: %d %s", resp.StatusCode, body)
	}
	resp, body := a.do(t, "POST", "/v1/apply", "", api.ApplyRequest{File: "flags.yaml", Spec: flagsOnlySpec})
	var out api.ApplyResponse
	if err := json.Unmarshal(body, &out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("flags apply: %d %s", resp.StatusCode, body)
	}
	if out.Operation != nil || len(out.Plan.Removed) != 0 || out.Plan.Flags == nil ||
		!slices.Equal(out.Plan.Flags.Added, []string{"new-checkout"}) || !slices.Equal(out.Plan.Kept, []string{"services"}) {
		t.Fatalf("flags apply answered %s; want the flag added, the services kept, no operation", body)
	}

	resp, body = a.do(t, "POST", "/v1/apply?env=prod", "", api.ApplyRequest{File: "flags.yaml", Spec: flagsOnlySpec})
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), "a file of flags only applies to an environment its services' spec made") {
		t.Fatalf("flags apply to an environment not there: %d %s", resp.StatusCode, body)
	}
}
