package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/config"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// ConfigPlan is what applying a spec would store in its configs: a new
// version of each config it adds or changes. A config whose definition
// changes but whose spec values do not keeps its run-time override (set,
// push or rollback); one whose spec values change loses it (Dropped).
type ConfigPlan struct {
	Added, Changed, Dropped []string
	// Next are the versions to store, each naming the version it is made
	// from (0 for a new config).
	Next []store.ConfigVersion
	// Released are the versions that go with a revision the same apply
	// makes (TieConfigs).
	Released []ConfigRelease
}

// Empty reports whether the configs would stay as they are.
func (p ConfigPlan) Empty() bool { return len(p.Next) == 0 }

// LoadConfigSchemas reads the schema file of every config in app,
// relative to dir (the spec's folder, on the server's machine), and
// makes the paths absolute. A file that cannot be read is a problem at
// its line; nothing else is checked here (CheckConfigs compiles them).
func LoadConfigSchemas(app *spec.App, file, dir string) (map[string]string, error) {
	out := map[string]string{}
	var ps spec.Problems
	for _, name := range sortedKeys(app.Configs) {
		c := app.Configs[name]
		if c.Schema == "" {
			continue
		}
		if !filepath.IsAbs(c.Schema) {
			c.Schema = filepath.Join(dir, filepath.FromSlash(c.Schema))
		}
		b, err := os.ReadFile(c.Schema)
		if err != nil {
			path := "configs." + name + ".schema"
			ps = append(ps, spec.Problem{File: file, Line: app.Line(path), Path: path, Message: fmt.Sprintf("cannot read the schema: %v", err)})
			continue
		}
		out[name] = string(b)
	}
	if len(ps) > 0 {
		return nil, &ps
	}
	return out, nil
}

// PlanConfigs compares the spec's configs with the stored ones. A spec
// without configs: changes none; a config left out of the spec stays as
// it is.
func PlanConfigs(tx store.Tx, app *spec.App, schemas map[string]string, src Source, now time.Time) (ConfigPlan, error) {
	var plan ConfigPlan
	if !app.HasConfigs() {
		return plan, nil
	}
	if err := configServices(tx, app, src.File); err != nil {
		return plan, err
	}
	for _, name := range sortedKeys(app.Configs) {
		c := app.Configs[name]
		next := store.ConfigVersion{Name: name, Spec: c.Clone(), Schema: schemas[name], Dir: src.Dir,
			Values: c.Values.Clone(), Source: store.ConfigFromApply, CreatedAt: now}
		cur, err := tx.GetConfigVersion(name, 0)
		switch {
		case errors.Is(err, store.ErrNotFound):
			next.Reason = "applied from " + src.File + ": added"
			plan.Added = append(plan.Added, name)
		case err != nil:
			return plan, err
		case sameDefinition(cur, next):
			continue
		default:
			if err := inRelease(tx, name, "change"); err != nil {
				return plan, err
			}
			next.Version = cur.Version
			next.Reason = "applied from " + src.File + ": changed"
			plan.Changed = append(plan.Changed, name)
			if Overridden(cur) {
				if sameValues(cur.Spec.Values, c.Values) {
					next.Values = cur.Values // the override holds
					next.Reason += "; the run-time values hold"
				} else {
					plan.Dropped = append(plan.Dropped, name)
					next.Reason += "; the run-time values give way to the spec's"
				}
			}
		}
		plan.Next = append(plan.Next, next)
	}
	return plan, nil
}

// configServices checks that a file of configs only names services the
// app has (a spec with services checks its own: spec.Validate).
func configServices(tx store.Tx, app *spec.App, file string) error {
	if app.HasServices() {
		return nil
	}
	// A service an operation in flight is adding counts: its record is
	// written when the operation gets to it.
	coming := map[string]bool{}
	ops, err := tx.ListOperations(true, 0)
	if err != nil {
		return err
	}
	for _, op := range ops {
		for _, ch := range op.Changes {
			coming[ch.Service] = true
		}
	}
	var ps spec.Problems
	for _, name := range sortedKeys(app.Configs) {
		svc := app.Configs[name].Service
		_, err := tx.GetService(svc)
		if errors.Is(err, store.ErrNotFound) && coming[svc] {
			continue
		}
		if errors.Is(err, store.ErrNotFound) {
			path := "configs." + name + ".service"
			ps = append(ps, spec.Problem{File: file, Line: app.Line(path), Path: path,
				Message: fmt.Sprintf("unknown service %q: the app has no such service (apply its services first)", svc)})
		} else if err != nil {
			return err
		}
	}
	if len(ps) > 0 {
		return &ps
	}
	return nil
}

// Overridden reports whether a version's values are not the spec's: a
// run-time change holds.
func Overridden(v store.ConfigVersion) bool {
	return v.Spec == nil || !sameValues(v.Spec.Values, v.Values)
}

func sameValues(a, b spec.ConfigValues) bool {
	return bytes.Equal(config.Canonical(a), config.Canonical(b))
}

func sameDefinition(a, b store.ConfigVersion) bool {
	ja, _ := json.Marshal(a.Spec)
	jb, _ := json.Marshal(b.Spec)
	return bytes.Equal(ja, jb) && a.Schema == b.Schema && a.Dir == b.Dir
}

// CheckConfigPlan checks every version the plan would store (schema,
// rules, command) and returns every problem as a *spec.Problems error
// located at the config's values in file, or nil. It runs commands: call
// it outside a transaction.
func CheckConfigPlan(ctx context.Context, app *spec.App, file string, plan ConfigPlan) error {
	var ps spec.Problems
	for _, v := range plan.Next {
		err := ValidateConfig(ctx, v)
		var cps *config.Problems
		if !errors.As(err, &cps) {
			if err != nil {
				return err
			}
			continue
		}
		for _, p := range cps.List {
			ps = append(ps, configProblem(app, file, v.Name, p))
		}
	}
	if len(ps) > 0 {
		return &ps
	}
	return nil
}

// configProblem places a config's problem in the spec: at the values
// of the environment's override that wrote the value at fault, else at
// the config's own, said to arise in the environment when it overrides
// other values of that config.
func configProblem(app *spec.App, file, name string, p config.Problem) spec.Problem {
	path := configPath(p)
	if o, ok := app.ConfigOverride(name); ok {
		if value, ok := strings.CutPrefix(path, ".values."); ok && wrote(o.Values, value) {
			over := "environments." + app.Environment + ".overrides.configs." + name
			return spec.Problem{File: file, Line: app.Line(over + ".values"), Path: over + path, Message: p.Message}
		}
		p.Message = "in environment " + app.Environment + ": " + p.Message
	}
	return spec.Problem{File: file, Line: app.Line("configs." + name + ".values"), Path: "configs." + name + path, Message: p.Message}
}

// wrote reports whether override values, merged into a config's
// (spec.MergeConfigValues), wrote the value at path (db.port,
// limits[0].max): mappings merge key by key, anything else the override
// holds on the way replaces the base's whole.
func wrote(over map[string]any, path string) bool {
	for _, key := range strings.FieldsFunc(path, func(r rune) bool { return r == '.' || r == '[' }) {
		v, ok := over[key]
		if !ok {
			return false
		}
		m, ok := v.(map[string]any)
		if !ok {
			return true
		}
		over = m
	}
	return true
}

// configPath places a config problem in the spec: a value's path under
// values, the schema, a rule or the command as they are written.
func configPath(p config.Problem) string {
	switch {
	case p.Path == "schema" || p.Path == "validate" || strings.HasPrefix(p.Path, "rules"):
		return "." + p.Path
	case p.Path == "":
		return ".values"
	}
	return ".values." + p.Path
}

// ValidateConfig checks a version's values against its definition.
func ValidateConfig(ctx context.Context, v store.ConfigVersion) error {
	def := config.Definition{Schema: v.Schema, Dir: v.Dir}
	if v.Spec != nil {
		def.Rules, def.Validate, def.Timeout = v.Spec.Rules, v.Spec.Validate, v.Spec.ValidateTimeout.Duration
	}
	if def.Timeout <= 0 {
		def.Timeout = spec.DefaultConfigValidateTimeout
	}
	return config.Validate(ctx, def, v.Values)
}

// ApplyConfigs stores the plan's versions, each with an event, in the
// caller's transaction, and starts the delivery of each released with a
// revision (TieConfigs). A config changed since the plan was made is a
// conflict (apply again).
func ApplyConfigs(tx store.Tx, plan ConfigPlan, now time.Time) error {
	for _, v := range plan.Next {
		saved, err := SaveConfig(tx, v, store.EventConfigApplied, now)
		if err != nil {
			return err
		}
		for _, r := range plan.Released {
			if r.Config != v.Name {
				continue
			}
			if err := releaseConfig(tx, saved, r, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// SaveConfig stores v (made from the version v.Version names) with an
// event of type typ, and returns it as stored.
func SaveConfig(tx store.Tx, v store.ConfigVersion, typ store.EventType, now time.Time) (store.ConfigVersion, error) {
	base := v.Version
	saved, err := tx.CreateConfigVersion(v)
	if err != nil {
		return saved, err
	}
	data, err := json.Marshal(store.ConfigData{Name: v.Name, Version: saved.Version, Previous: base, Reason: v.Reason})
	if err != nil {
		return saved, err
	}
	service := ""
	if v.Spec != nil {
		service = v.Spec.Service
	}
	_, err = tx.AppendEvent(store.Event{Time: now, Type: typ, Service: service, By: v.By, Data: data,
		Message: fmt.Sprintf("config %s %s: %s", v.Name, config.Version(saved.Version), v.Reason)})
	return saved, err
}

// ConfigEdit is a run-time change to a config: exactly one of Set (key=
// value assignments), Push (a whole document, JSON or YAML) and
// RollbackTo (a version to copy).
type ConfigEdit struct {
	Set        []string
	Push       []byte
	PushFile   string // the pushed document's name, for errors
	RollbackTo int
	// Base, when not 0, is the version the change was made from: a
	// config at another version is a conflict.
	Base int
	// By is who makes it; Reason why, in their words.
	By, Reason string
}

// NextConfig returns the version an edit would store, made from the
// config's latest (its definition kept), and the type of its event.
// Nothing is checked but the edit itself: ValidateConfig the result
// before SaveConfig.
func NextConfig(tx store.Tx, name string, e ConfigEdit, now time.Time) (store.ConfigVersion, store.EventType, error) {
	cur, err := tx.GetConfigVersion(name, 0)
	if err != nil {
		return cur, "", err
	}
	if e.Base != 0 && e.Base != cur.Version {
		return cur, "", store.CheckConfigBase(name, e.Base, cur.Version)
	}
	if err := inRelease(tx, name, "change"); err != nil {
		return cur, "", err
	}
	next := cur
	next.Source, next.From, next.By, next.CreatedAt = "", 0, e.By, now
	var typ store.EventType
	switch {
	case len(e.Set) > 0:
		if next.Values, err = config.Assign(cur.Values, e.Set); err != nil {
			return cur, "", store.Invalidf("config set %s: %v", name, err)
		}
		next.Source, typ, next.Reason = store.ConfigFromSet, store.EventConfigSet, "set "+strings.Join(e.Set, " ")
	case e.Push != nil:
		if next.Values, err = config.ParseDocument(e.PushFile, e.Push); err != nil {
			return cur, "", store.Invalidf("config push %s: %v", name, err)
		}
		next.Source, typ, next.Reason = store.ConfigFromPush, store.EventConfigPushed, "pushed "+e.PushFile
	case e.RollbackTo > 0:
		old, err := tx.GetConfigVersion(name, e.RollbackTo)
		if err != nil {
			return cur, "", err
		}
		next.Values, next.From = old.Values, old.Version
		next.Source, typ, next.Reason = store.ConfigFromRollback, store.EventConfigRollback, "rolled back to "+config.Version(old.Version)
	default:
		return cur, "", store.Invalidf("config %s: say what to change: key=value assignments, a file to push, or a version to roll back to", name)
	}
	if len(config.Diff(cur.Values, next.Values)) == 0 {
		return cur, "", store.Invalidf("config %s %s already has these values: nothing to store", name, config.Version(cur.Version))
	}
	if e.Reason != "" {
		next.Reason += " (" + e.Reason + ")"
	}
	return next, typ, nil
}

// ConfigRefused wraps a version's problems as an invalid request that
// says nothing was stored.
func ConfigRefused(name string, err error) error {
	var ps *config.Problems
	if !errors.As(err, &ps) {
		return err
	}
	lines := make([]string, len(ps.List))
	for i, p := range ps.List {
		lines[i] = "  " + p.String()
	}
	return store.Invalidf("config %s refused, nothing stored or delivered:\n%s", name, strings.Join(lines, "\n"))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// StopConfig halts a config's delivery in flight and sends every
// instance back to the version they had before it (AppConfig's
// StopDeployment): an edit of the delivery that the controller carries
// out. A delivery that has ended is an invalid request naming its end.
func StopConfig(tx store.Tx, name, by, reason string, now time.Time) (store.ConfigDelivery, error) {
	d, err := tx.GetConfigDelivery(name)
	if err != nil {
		return d, err
	}
	if d.Phase.Terminal() {
		return d, store.Invalidf("config %s has no delivery in flight: %s %s", name, config.Version(d.Version), d.Phase)
	}
	if err := inRelease(tx, name, "stop"); err != nil {
		return d, err
	}
	d.Phase, d.Ended, d.By = store.DeliveryStopped, now, by
	d.Reason = "stopped: back to " + config.Version(d.Previous)
	if reason != "" {
		d.Reason += " (" + reason + ")"
	}
	if err := tx.PutConfigDelivery(d); err != nil {
		return d, err
	}
	v, err := tx.GetConfigVersion(name, d.Version)
	if err != nil {
		return d, err
	}
	data, err := json.Marshal(store.ConfigData{Name: name, Version: d.Version, Previous: d.Previous, Reason: d.Reason})
	if err != nil {
		return d, err
	}
	_, err = tx.AppendEvent(store.Event{Time: now, Type: store.EventConfigDeliveryStopped, Service: v.Spec.Service, By: by, Data: data,
		Message: fmt.Sprintf("config %s %s: %s", name, config.Version(d.Version), d.Reason)})
	return d, err
}
