package rollout

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/router"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// previewBackend is a real instance of revision rev that answers its
// revision and whether it saw the preview header.
func previewBackend(t *testing.T, rev int) store.Instance {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "v%d header=%q", rev, r.Header.Get(spec.DefaultPreviewHeader))
	}))
	t.Cleanup(srv.Close)
	in := ready(fmt.Sprintf("web-%d", rev), rev, srv.Listener.Addr().(*net.TCPAddr).Port)
	return in
}

// TestPreviewNeedsTheSecret routes a blue/green preview through the real
// router: only the revision's secret reaches the unreleased revision,
// any other value (even "false") reaches the active one, and the
// header never reaches an instance.
func TestPreviewNeedsTheSecret(t *testing.T) {
	instances := []store.Instance{previewBackend(t, 1), previewBackend(t, 2)}
	traffic := store.Traffic{Active: 1, Preview: 2, PreviewHeader: spec.DefaultPreviewHeader, PreviewSecret: "s3cret-value"}
	rt := router.New(router.Config{})
	defer rt.Close()
	rt.Update(Routes([]Routed{web(2, traffic)}, instances))
	srv := httptest.NewServer(rt)
	defer srv.Close()
	cases := []struct {
		name, value, want string
	}{
		{"no header", "", `v1 header=""`},
		{"false", "false", `v1 header=""`},
		{"any value", "1", `v1 header=""`},
		{"a prefix of the secret", "s3cret", `v1 header=""`},
		{"the secret", "s3cret-value", `v2 header=""`},
	}
	for _, tc := range cases {
		req, _ := http.NewRequest("GET", srv.URL+"/web", nil)
		req.Host = "shop.test"
		if tc.value != "" {
			req.Header.Set(spec.DefaultPreviewHeader, tc.value)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if got := strings.TrimSpace(string(body)); got != tc.want {
			t.Errorf("%s: answered %q, want %q", tc.name, got, tc.want)
		}
	}
}
