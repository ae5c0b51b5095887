package httpapi

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/api"
)

// TestEnvNameRefused: an environment name that is not a DNS label is
// refused in the header and in ?env=, before anything is opened.
func TestEnvNameRefused(t *testing.T) {
	a := newTestAPI(t, "")
	for _, bad := range []string{"../../etc", "..", "Prod"} {
		resp, body := a.do(t, "POST", "/v1/apply?env="+url.QueryEscape(bad), "", api.ApplyRequest{File: "slipway.yaml", Spec: goodSpec})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "environment") {
			t.Errorf("?env=%s: %d %s; want 400", bad, resp.StatusCode, body)
		}
		req, _ := http.NewRequest("GET", a.URL+"/v1/services", nil)
		req.Header.Set(HeaderEnv, bad)
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %s: %d; want 400", HeaderEnv, bad, r.StatusCode)
		}
	}
}
