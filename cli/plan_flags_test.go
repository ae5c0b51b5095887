package cli_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/slipway-dev/slipway/api"
)

// flagChanges are the changes to flags and segments a spec makes.
var flagChanges = &api.Changes{
	Added: []string{"new-checkout"},
	Changed: []api.ServiceChange{{Name: "search-cache", Fields: []api.FieldChange{
		{Path: "rollout.on", Old: "10", New: "25"}, {Path: "rollout.off", Old: "90", New: "75"}, {Path: "owner", Old: "", New: "search-team"},
	}}},
	Removed: []string{"old-banner"},
}

var segmentChanges = &api.Changes{Added: []string{"beta-testers"}}

func TestPlanFlags(t *testing.T) {
	tests := []struct {
		name string
		plan api.Plan
		want string
	}{
		{"services, flags and segments", func() api.Plan {
			p := shopPlan
			p.Flags, p.Segments = flagChanges, segmentChanges
			return p
		}(), `+ invoice (new)
~ order
    instances: 2 -> 3
- legacy (removed)
+ flag new-checkout (new)
~ flag search-cache
    rollout.on: 10 -> 25
    rollout.off: 90 -> 75
    owner: - -> search-team
- flag old-banner (removed)
+ segment beta-testers (new)

Plan: services 1 to add, 1 to change, 1 to remove; flags 1 to add, 1 to change, 1 to remove; segments 1 to add, 0 to change, 0 to remove.
A changed flag loses its run-time changes (slipway flags enable, disable, set, rollout; a kill holds): it serves what the spec says.
`},
		{"flags only", api.Plan{App: "shop", Unchanged: []string{"invoice", "order"},
			Flags: &api.Changes{Added: []string{"new-checkout"}}}, `+ flag new-checkout (new)

Plan: flags 1 to add, 0 to change, 0 to remove.
`},
		{"a warning", api.Plan{App: "shop", Flags: &api.Changes{Changed: []api.ServiceChange{{Name: "tuning",
			Fields: []api.FieldChange{{Path: "off", Old: "", New: "safe"}}}}},
			Warnings: []string{`flags.tuning: stored before flags had off: a kill or disable serves its default, "fast", until this apply makes it serve off: safe`}},
			`~ flag tuning
    off: - -> safe

Plan: flags 0 to add, 1 to change, 0 to remove.
A changed flag loses its run-time changes (slipway flags enable, disable, set, rollout; a kill holds): it serves what the spec says.

Warning: flags.tuning: stored before flags had off: a kill or disable serves its default, "fast", until this apply makes it serve off: safe
`},
		{"tls", api.Plan{App: "shop", Unchanged: []string{"invoice", "order"}, TLS: &api.TLSChanges{
			Fields:  []api.FieldChange{{Path: "tls.acme.email", Old: "ops@shop.example", New: "sre@shop.example"}},
			Added:   []api.TLSHost{{Host: "api.shop.example", Service: "api", Certificate: "acme"}},
			Changed: []api.TLSHost{{Host: "shop.example", Service: "order", Certificate: "/srv/tls/shop.pem", OldCertificate: "acme"}},
			Removed: []api.TLSHost{{Host: "www.shop.example", Service: "order", Certificate: "acme"}}}},
			`~ tls
    tls.acme.email: ops@shop.example -> sre@shop.example
+ tls host api.shop.example (service api, certificate acme)
~ tls host shop.example (service order, certificate acme -> /srv/tls/shop.pem)
- tls host www.shop.example (removed; was service order, certificate acme)

Plan: tls 1 settings, hosts 1 to add, 1 to change, 1 to remove.
`},
		{"segments only", api.Plan{App: "shop", Segments: &api.Changes{Changed: []api.ServiceChange{{Name: "beta-testers",
			Fields: []api.FieldChange{{Path: "if", Old: `ctx.email.endsWith("@shop.example")`, New: `ctx.beta == true`}}}}}},
			`~ segment beta-testers
    if: ctx.email.endsWith("@shop.example") -> ctx.beta == true

Plan: segments 0 to add, 1 to change, 0 to remove.
`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, url := newFake(t)
			f.plan = tc.plan
			f.artifacts[orderDigest()] = []byte("uploaded before")
			res := run(t, url, "plan", "-f", writeSpec(t, shopSpec))
			if res.code != 0 || res.stdout != tc.want {
				t.Fatalf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", res.code, res.stderr, res.stdout, tc.want)
			}
			res = run(t, url, "plan", "-f", writeSpec(t, shopSpec), "-o", "json")
			var got api.Plan
			if err := json.Unmarshal([]byte(res.stdout), &got); err != nil || !reflect.DeepEqual(got.Flags, tc.plan.Flags) ||
				!reflect.DeepEqual(got.Segments, tc.plan.Segments) || !reflect.DeepEqual(got.TLS, tc.plan.TLS) {
				t.Fatalf("json: %v, %+v", err, got)
			}
		})
	}
}

// TestApplyFlags shows the flag changes an apply made, served at once
// (no operation: a flag change is no deployment).
func TestApplyFlags(t *testing.T) {
	f, url := newFake(t)
	f.plan = api.Plan{App: "shop", Unchanged: []string{"invoice", "order"}, Flags: flagChanges}
	f.artifacts[orderDigest()] = []byte("uploaded before")
	res := run(t, url, "apply", "-f", writeSpec(t, shopSpec), "--wait")
	want := `+ flag new-checkout (new)
~ flag search-cache
    rollout.on: 10 -> 25
    rollout.off: 90 -> 75
    owner: - -> search-team
- flag old-banner (removed)

Plan: flags 1 to add, 1 to change, 1 to remove.
A changed flag loses its run-time changes (slipway flags enable, disable, set, rollout; a kill holds): it serves what the spec says.
The flag changes are served from now on.
`
	if res.code != 0 || res.stdout != want {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", res.code, res.stderr, res.stdout, want)
	}
}

// flagsFile is a team's file of flags for app shop: no services.
const flagsFile = `app: shop
flags:
  new-checkout:
    class: release
    type: boolean
    default: off
    rules:
      - {segment: staff, serve: on}
segments:
  staff: {if: 'ctx.email.endsWith("@shop.example")'}
`

// TestFlagsOnlyFile: a file of flags only validates, plans and applies;
// the plan says the app's services stay as they are.
func TestFlagsOnlyFile(t *testing.T) {
	f, url := newFake(t)
	path := writeSpec(t, flagsFile)
	res := run(t, url, "validate", "-f", path)
	if want := path + " is valid: app shop, 1 flag, 1 segment; no services: applying it leaves the app's services as they are\n"; res.code != 0 || res.stdout != want {
		t.Fatalf("validate: exit %d, stderr %q, stdout:\n%s\nwant:\n%s", res.code, res.stderr, res.stdout, want)
	}
	f.plan = api.Plan{App: "shop", Flags: &api.Changes{Added: []string{"new-checkout"}}, Segments: segmentChanges, Kept: []string{"services"}}
	want := `+ flag new-checkout (new)
+ segment beta-testers (new)

Plan: flags 1 to add, 0 to change, 0 to remove; segments 1 to add, 0 to change, 0 to remove.
This file has no services: the app's services stay as they are.
`
	if res = run(t, url, "plan", "-f", path); res.code != 0 || res.stdout != want {
		t.Fatalf("plan: exit %d, stderr %q, stdout:\n%s\nwant:\n%s", res.code, res.stderr, res.stdout, want)
	}
	want += "The flag changes are served from now on.\n"
	if res = run(t, url, "apply", "-f", path, "--wait"); res.code != 0 || res.stdout != want {
		t.Fatalf("apply: exit %d, stderr %q, stdout:\n%s\nwant:\n%s", res.code, res.stderr, res.stdout, want)
	}
}

// TestServicesOnlyFileKeepsTheFlags: the plan of a file without flags
// says the served flags stay as they are, changes or not.
func TestServicesOnlyFileKeepsTheFlags(t *testing.T) {
	f, url := newFake(t)
	f.plan = api.Plan{App: "shop", Unchanged: []string{"invoice", "order"}, Kept: []string{"flags"}}
	f.artifacts[orderDigest()] = []byte("uploaded before")
	res := run(t, url, "plan", "-f", writeSpec(t, shopSpec))
	want := "No changes.\nThis file has no flags or segments: the served flags stay as they are.\n"
	if res.code != 0 || res.stdout != want {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", res.code, res.stderr, res.stdout, want)
	}
}
