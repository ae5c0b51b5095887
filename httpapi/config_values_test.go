package httpapi

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/store"
)

// TestConfigValuesOverHTTP: an evaluator reads a config's values with
// the version as ETag (304 when it has them), an instance during a
// delivery gets its own version, and the change stream sends the
// version now and the next one when it is stored.
func TestConfigValuesOverHTTP(t *testing.T) {
	a := newRoleAPI(t)
	req := api.ApplyRequest{File: "slipway.yaml", Spec: configSpec, Dir: configDir(t)}
	if resp, body := a.do(t, "POST", "/v1/apply", "d", req); resp.StatusCode >= 300 {
		t.Fatalf("apply: %d %s", resp.StatusCode, body)
	}
	get := func(path, etag string) (*http.Response, string) {
		r, _ := http.NewRequest("GET", a.URL+path, nil)
		r.Header.Set("Authorization", "Bearer e")
		if etag != "" {
			r.Header.Set("If-None-Match", etag)
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		_, _ = bufio.NewReader(resp.Body).WriteTo(&b)
		return resp, b.String()
	}
	const path = "/v1/configs/invoice-settings/values"
	resp, body := get(path, "")
	if resp.StatusCode != 200 || resp.Header.Get("ETag") != `"1"` || body != `{"logLevel":"info","retries":2,"timeoutMs":2000}` {
		t.Fatalf("GET: %d %q %s", resp.StatusCode, resp.Header.Get("ETag"), body)
	}
	if resp, body := get(path, `W/"1"`); resp.StatusCode != 304 || body != "" {
		t.Fatalf("GET If-None-Match the version: %d %s", resp.StatusCode, body)
	}

	// The stream: v1 now, v2 once stored.
	sr, _ := http.NewRequest("GET", a.URL+"/v1/configs/invoice-settings/stream", nil)
	sr.Header.Set("Authorization", "Bearer e")
	stream, err := http.DefaultClient.Do(sr)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Body.Close()
	events := bufio.NewReader(stream.Body)
	next := func() api.ConfigUpdate {
		t.Helper()
		for {
			line, err := events.ReadString('\n')
			if err != nil {
				t.Fatalf("stream: %v", err)
			}
			if data, ok := strings.CutPrefix(line, "data: "); ok {
				var u api.ConfigUpdate
				if err := json.Unmarshal([]byte(data), &u); err != nil {
					t.Fatal(err)
				}
				return u
			}
		}
	}
	if u := next(); u.Version != 1 || u.Values["timeoutMs"] != 2000.0 {
		t.Fatalf("first event: %+v", u)
	}
	if resp, body := a.do(t, "POST", "/v1/configs/invoice-settings/versions", "d", api.ConfigRequest{Set: []string{"timeoutMs=3000"}}); resp.StatusCode != 201 {
		t.Fatalf("set: %d %s", resp.StatusCode, body)
	}
	a.poke()
	if u := next(); u.Version != 2 || u.Values["timeoutMs"] != 3000.0 {
		t.Fatalf("after the set: %+v", u)
	}

	// During a delivery each instance reads its own version; others the
	// settled one.
	err = a.store.Update(t.Context(), func(tx store.Tx) error {
		return tx.PutConfigDelivery(store.ConfigDelivery{Name: "invoice-settings", Version: 2, Previous: 1,
			Phase: store.DeliveryProgressing, Step: 1, Targets: []string{"invoice-1-a"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{"?instance=invoice-1-a": `"2"`, "?instance=invoice-1-b": `"1"`, "": `"1"`} {
		if resp, _ := get(path+q, ""); resp.StatusCode != 200 || resp.Header.Get("ETag") != want {
			t.Errorf("GET %s: %d %s, want %s", q, resp.StatusCode, resp.Header.Get("ETag"), want)
		}
	}
	for _, c := range []struct {
		token, path string
		want        int
	}{
		{"", path, 401},
		{"e", "/v1/configs/nosuch/values", 404},
		{"e", "/v1/configs/nosuch/stream", 404},
	} {
		if resp, body := a.do(t, "GET", c.path, c.token, nil); resp.StatusCode != c.want {
			t.Errorf("GET %s with %q: %d %s, want %d", c.path, c.token, resp.StatusCode, body, c.want)
		}
	}
}
