package stack

import (
	"database/sql"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/flags"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/store/sqlite"
)

// storedBeforeOff is a flag configuration as the store held it before
// flags had off: payments, an operational boolean kill switch whose
// default is on, and provider, an operational string flag, both killed.
const storedBeforeOff = `{
  "revision": 2,
  "flags": {
    "payments": {"key": "payments", "class": "operational", "type": "boolean", "enabled": true,
      "variants": {"off": false, "on": true}, "default": "on", "stickiness": "targetingKey", "staleAfter": "never"},
    "provider": {"key": "provider", "class": "operational", "type": "string", "enabled": true,
      "variants": {"none": "", "stripe": "stripe"}, "default": "stripe", "stickiness": "targetingKey", "staleAfter": "never"}
  },
  "overrides": {"payments": {"killed": true}, "provider": {"killed": true}},
  "reason": "kill: card errors",
  "createdAt": "2026-11-26T12:00:00Z",
  "changed": {"payments": "2026-11-26T12:00:00Z", "provider": "2026-11-26T12:00:00Z"}
}`

// openWithOldFlags writes storedBeforeOff into a real SQLite store, as
// the binary before off left it, and opens the store.
func openWithOldFlags(t *testing.T) *sqlite.Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "slipway.db")
	s, err := sqlite.Open(path) // creates the schema
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO flag_configs (revision, data) VALUES (2, ?)`, storedBeforeOff); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = sqlite.Open(path); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// served compiles the stored configuration and evaluates key.
func served(t *testing.T, s store.Store, key string) flags.Result {
	t.Helper()
	var set *flags.Set
	err := s.View(t.Context(), func(tx store.Tx) error {
		c, err := tx.GetFlagConfig()
		if err == nil {
			set, err = CompileFlags(c)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return set.Evaluate(key, flags.Context{TargetingKey: "user-1"})
}

// TestFlagsStoredBeforeOff: after the upgrade, a boolean kill switch
// killed before it serves false; any other killed flag keeps serving its
// default.
func TestFlagsStoredBeforeOff(t *testing.T) {
	s := openWithOldFlags(t)
	if r := served(t, s, "payments"); r.Value != false || r.Variant != "off" || r.Reason != flags.ReasonDisabled {
		t.Errorf("payments (boolean, default on, killed) = %+v, want off (false), DISABLED", r)
	}
	if r := served(t, s, "provider"); r.Value != "stripe" || r.Variant != "stripe" || r.Reason != flags.ReasonDisabled {
		t.Errorf("provider (string, killed) = %+v, want its default stripe, DISABLED", r)
	}
}

// TestPlanWarnsAboutFlagsStoredWithoutOff: the next plan warns about
// the string flag (and not the boolean, which has its false variant),
// shows off as its only change, and the apply makes the kill serve off.
func TestPlanWarnsAboutFlagsStoredWithoutOff(t *testing.T) {
	s := openWithOldFlags(t)
	app := parse(t, `app: shop
services:
  order: {run: [./order]}
flags:
  payments: {class: operational, type: boolean, default: on}
  provider:
    class: operational
    type: string
    variants: {stripe: stripe, none: ""}
    default: stripe
    off: none
`)
	var plan FlagPlan
	err := s.View(t.Context(), func(tx store.Tx) (err error) {
		plan, err = PlanFlags(tx, app)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`flags.provider: stored before flags had off: a kill or disable serves its default, "stripe", until this apply makes it serve off: none`}
	if !reflect.DeepEqual(plan.Warnings, want) {
		t.Errorf("warnings:\n%q\nwant:\n%q", plan.Warnings, want)
	}
	if got := plan.Flags.Names(); !slices.Equal(got, []string{"provider"}) || len(plan.Flags.Changed[0].Fields) != 1 ||
		plan.Flags.Changed[0].Fields[0].Path != "off" {
		t.Errorf("changed: %+v, want provider's off only (payments' implicit off is no change)", plan.Flags.Changed)
	}
	err = s.Update(t.Context(), func(tx store.Tx) error {
		_, err := ApplyFlags(tx, app, Source{File: "slipway.yaml"}, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if r := served(t, s, "provider"); r.Variant != "none" || r.Reason != flags.ReasonDisabled {
		t.Errorf("provider after the apply = %+v, want none: the kill holds and serves off", r)
	}
	err = s.View(t.Context(), func(tx store.Tx) (err error) {
		plan, err = PlanFlags(tx, app)
		return err
	})
	if err != nil || len(plan.Warnings) != 0 || !plan.Empty() {
		t.Errorf("plan after the apply: %v %+v, want nothing", err, plan)
	}
}

// TestOldSpecOfAnOperationalStringFlagIsRefused: the spec that made
// provider no longer validates; the error says where and what to add.
func TestOldSpecOfAnOperationalStringFlagIsRefused(t *testing.T) {
	_, err := spec.Parse("slipway.yaml", []byte(`app: shop
services:
  order: {run: [./order]}
flags:
  provider:
    class: operational
    type: string
    variants: {stripe: stripe, none: ""}
    default: stripe
`))
	want := `slipway.yaml:5: flags.provider.off: required for an operational flag of type string: the variant a kill or disable serves, one of none, stripe`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want %s", err, want)
	}
}
