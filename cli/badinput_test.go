package cli_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/artifact"
	"github.com/slipway-dev/slipway/httpapi"
	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/store/storetest"
)

// catalogueSpec is what the catalogue's server runs: one service, one
// flag.
const catalogueSpec = `app: shop
services:
  order:
    run: ["./order"]
flags:
  new-checkout:
    class: release
    type: boolean
    default: off
    rollout: {on: 25, off: 75}
`

// badArgs is one bad command line: the exit code it must get and words
// of its error on stderr. {spec} in an argument is replaced by the path
// of badSpec written to a file, {missing} by a path that does not exist.
type badArgs struct {
	name string
	args []string
	code int
	want []string
}

// badCommandLines is the catalogue of bad command lines.
var badCommandLines = []badArgs{
	{"unknown command", []string{"frobnicate"}, 2, []string{`unknown command "frobnicate"`}},
	{"unknown flag", []string{"status", "--nope"}, 2, []string{"unknown flag: --nope"}},
	{"validate: missing file", []string{"validate", "-f", "{missing}"}, 1, []string{"no such file"}},
	{"validate: bad spec", []string{"validate", "-f", "{spec}"}, 1, []string{"slipway.yaml:4: services.invoice.instances", "slipway.yaml:7: services.order.run"}},
	{"validate: no file, none here", []string{"validate"}, 1, []string{"open slipway.yaml: no such file"}},
	{"plan: bad spec", []string{"plan", "-f", "{spec}"}, 1, []string{"slipway.yaml:4: services.invoice.instances"}},
	{"apply: bad spec", []string{"apply", "-f", "{spec}"}, 1, []string{"slipway.yaml:4: services.invoice.instances", "slipway.yaml:7"}},
	{"apply: missing file", []string{"apply", "-f", "{missing}"}, 1, []string{"no such file"}},
	{"apply: extra argument", []string{"apply", "-f", "{spec}", "extra"}, 2, []string{"extra"}},
	{"status: unknown service", []string{"status", "nope"}, 1, []string{`service "nope" does not exist`}},
	{"history: unknown service", []string{"history", "nope"}, 1, []string{`service "nope" does not exist`}},
	{"history: no service", []string{"history"}, 2, []string{"accepts 1 arg(s), received 0"}},
	{"rollback: unknown service", []string{"rollback", "nope"}, 1, []string{`service "nope" does not exist`}},
	{"rollback: revision not a number", []string{"rollback", "order", "--to", "abc"}, 2, []string{`invalid argument "abc"`}},
	{"rollback: while an operation runs", []string{"rollback", "order", "--to", "1"}, 1, []string{"operation 1 (apply of order) is still running"}},
	{"rollout: weight over 100", []string{"rollout", "set-weight", "order", "150"}, 2, []string{`weight must be a whole percentage of traffic, 0..100, not "150"`}},
	{"rollout: weight not a number", []string{"rollout", "set-weight", "order", "half"}, 2, []string{"half"}},
	{"rollout: unknown verb", []string{"rollout", "explode", "order"}, 2, []string{`unknown command "explode" for "slipway rollout"`}},
	{"rollout: pause unknown service", []string{"rollout", "pause", "nope"}, 1, []string{`service "nope" does not exist`}},
	{"flags: kill unknown flag", []string{"flags", "kill", "nope"}, 1, []string{`flag "nope" does not exist`}},
	{"flags: set unknown variant", []string{"flags", "set", "new-checkout", "maybe"}, 1, []string{`unknown variant "maybe"`}},
	{"flags: rollout over 100", []string{"flags", "rollout", "new-checkout", "150"}, 2, []string{"rollout 150 is not a percentage: want 0..100"}},
	{"flags: rollout not a number", []string{"flags", "rollout", "new-checkout", "lots"}, 2, []string{"lots"}},
	{"flags: eval with a bad context", []string{"flags", "eval", "new-checkout", "--context", "{bad"}, 2, []string{"--context"}},
	{"flags: eval with an array context", []string{"flags", "eval", "new-checkout", "--context", "[1]"}, 2, []string{"--context"}},
	{"flags: eval unknown flag", []string{"flags", "eval", "nope"}, 1, []string{"FLAG_NOT_FOUND"}},
	{"incident: open unknown service", []string{"incident", "open", "nope"}, 1, []string{`service "nope" does not exist`}},
	{"incident: open unknown revision", []string{"incident", "open", "order", "--caused-by", "9"}, 1, []string{"has no revision 9"}},
	{"incident: title with a newline", []string{"incident", "open", "order", "--title", "a\nb"}, 1, []string{"control characters"}},
	{"incident: resolve not a number", []string{"incident", "resolve", "abc"}, 1, []string{`incident id: want a positive integer (slipway incident list), got "abc"`}},
	{"incident: resolve unknown", []string{"incident", "resolve", "99"}, 1, []string{"incident 99 does not exist"}},
	{"dora: bad window", []string{"dora", "--window", "soon"}, 1, []string{`window "soon": want a length like 90d, 12w or 36h`}},
	{"events: after not a number", []string{"events", "--after", "x"}, 2, []string{`invalid argument "x" for "--after" flag`}},
	{"logs: unknown service", []string{"logs", "nope"}, 1, []string{`service "nope" does not exist`}},
	{"unknown environment", []string{"--env", "mars", "status"}, 1, []string{`environment "mars" does not exist`}},
	{"deploy: no pipeline", []string{"deploy", "order", "--version", "v1", "--env", "default"}, 1, []string{"runs without a pipeline"}},
	{"flags: unknown verb", []string{"flags", "explode", "new-checkout"}, 2, []string{`unknown command "explode" for "slipway flags"`}},
	{"incident: unknown verb", []string{"incident", "close", "1"}, 2, []string{`unknown command "close" for "slipway incident"`}},
	{"artifact push: nothing to push", []string{"artifact", "push", "--service", "order", "--version", "v1"}, 1, []string{"push what? give a FILE, --image REF"}},
	{"artifact push: a file and an image", []string{"artifact", "push", "{spec}", "--image", "shop/order:v1", "--service", "order", "--version", "v1"}, 1, []string{"not both"}},
	{"artifact push: bad image reference", []string{"artifact", "push", "--image", "Shop/Order", "--service", "order", "--version", "v1"}, 1, []string{"--image: invalid image reference"}},
	{"artifact push: missing image file", []string{"artifact", "push", "--image-file", "{missing}", "--service", "order", "--version", "v1"}, 1, []string{"--image-file", "no such file"}},
	{"artifact push: image on a server without images", []string{"artifact", "push", "--image", "127.0.0.1:1/shop/order:v1", "--service", "order", "--version", "v1"}, 1, []string{"no image store"}},
	{"server unreachable", []string{"status", "--server", "http://127.0.0.1:1"}, 1, []string{"cannot reach the slipway server at http://127.0.0.1:1"}},
	{"server not a URL", []string{"status", "--server", "::nope"}, 1, []string{`invalid port "::nope"`}},
}

// TestBadInputCatalogueCLI runs every bad command line against the real
// API over a memory store and checks the exit code, the error's words,
// and that the store (every record and event) is as it was.
func TestBadInputCatalogueCLI(t *testing.T) {
	url, st := catalogueServer(t)
	specPath := writeSpec(t, badSpec)
	for _, tc := range badCommandLines {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t, st)
			args := make([]string, len(tc.args))
			for i, a := range tc.args {
				args[i] = strings.NewReplacer("{spec}", specPath, "{missing}", specPath+".missing").Replace(a)
			}
			r := run(t, url, args...)
			if r.code != tc.code {
				t.Errorf("%v: exit %d, want %d; stderr:\n%s", args, r.code, tc.code, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("%v: stderr does not contain %q:\n%s", args, w, r.stderr)
				}
			}
			if snapshot(t, st) != before {
				t.Errorf("%v: the store changed", args)
			}
		})
	}
	t.Logf("catalogue: cli: %d bad inputs", len(badCommandLines))
}

// catalogueServer serves the real API over a memory store that holds
// catalogueSpec, applied (its operation still running: no controller
// runs here), and the service order at revision 1.
func catalogueServer(t *testing.T) (string, store.Store) {
	t.Helper()
	st := store.NewMemory()
	h := httpapi.New(httpapi.Config{Store: st, Artifacts: artifact.New(t.TempDir()), Clock: clock.NewFake(serverNow),
		Enqueue: func(queue.Key) {}, Changes: func() <-chan struct{} { return make(chan struct{}) }})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	body, _ := json.Marshal(api.ApplyRequest{File: "slipway.yaml", Spec: catalogueSpec})
	resp, err := http.Post(srv.URL+"/v1/apply", "application/json", strings.NewReader(string(body)))
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("apply: %v %v", resp, err)
	}
	resp.Body.Close()
	err = st.Update(t.Context(), func(tx store.Tx) error {
		if _, err := tx.CreateRevision(store.Revision{Service: "order", Spec: spec.Service{Name: "order", Run: []string{"./order"}}}); err != nil {
			return err
		}
		return tx.PutService(store.Service{Name: "order", Revision: 1, Stable: 1, Phase: store.PhaseReady})
	})
	if err != nil {
		t.Fatal(err)
	}
	return srv.URL, st
}

// snapshot is everything st holds.
func snapshot(t *testing.T, st store.Store) string {
	t.Helper()
	s, err := storetest.Snapshot(t.Context(), st)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
