package httpapi

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/flags"
	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/stack"
	"github.com/slipway-dev/slipway/store"
)

// flagView holds what a flag's wire form needs.
type flagView struct {
	cfg   store.FlagConfig
	usage map[string]time.Time
	now   time.Time
}

// readFlags reads the latest configuration (empty when none) and usage.
func readFlags(tx store.Tx, now time.Time) (flagView, error) {
	v := flagView{now: now}
	c, err := tx.GetFlagConfig()
	switch {
	case errors.Is(err, store.ErrNotFound):
		v.cfg = store.FlagConfig{Flags: map[string]*spec.Flag{}}
	case err != nil:
		return v, err
	default:
		v.cfg = c
	}
	v.usage, err = tx.ListFlagUsage()
	return v, err
}

func (v flagView) flag(key string) (api.Flag, bool) {
	f, ok := v.cfg.Flags[key]
	if !ok {
		return api.Flag{}, false
	}
	so := v.cfg.Overrides[key]
	o := flags.Override{Enabled: so.Enabled, Killed: so.Killed, Default: so.Default, Rollout: so.Rollout}
	eff := o.Apply(f)
	out := api.Flag{Key: key, Class: string(eff.Class), Type: string(eff.Type), Description: eff.Description, Owner: eff.Owner,
		Enabled: eff.Enabled == nil || *eff.Enabled, Killed: so.Killed, Default: eff.Default, Off: eff.OffVariant(), OffUnset: eff.OffUnset(),
		Variants: map[string]any{},
		Rollout:  eff.Rollout, Stickiness: eff.Stickiness, Overridden: !zeroOverride(so),
		Changed: v.cfg.Changed[key], Evaluated: v.usage[key], Revision: v.cfg.Revision}
	for name, val := range eff.Variants {
		out.Variants[name] = val.Value
	}
	for _, r := range eff.Rules {
		out.Rules = append(out.Rules, api.FlagRule{If: r.If, Segment: r.Segment, Serve: r.Serve})
	}
	for _, p := range eff.Prerequisites {
		out.Prerequisites = append(out.Prerequisites, p.Flag+"="+p.Variant)
	}
	out.Stale, out.StaleReason = flags.Stale(f, o, flags.Usage{Changed: out.Changed, Evaluated: out.Evaluated}, v.now)
	if r := v.cfg.Releases[key]; r != nil {
		out.Release = releaseView(r, f.Progressive)
	}
	return out, true
}

func releaseView(r *store.FlagRelease, p *spec.FlagProgressive) *api.FlagRelease {
	out := &api.FlagRelease{Variant: r.Variant, Service: r.Service, Step: r.Step, Percent: r.Percent, StepStarted: r.StepStarted,
		Waiting: r.InFlight() && r.StepStarted.IsZero() && r.Step == 0, Outcome: string(r.Outcome), Reason: r.Reason, Started: r.Started, Ended: r.Ended}
	var a *spec.Analysis
	if p != nil {
		out.Steps, a = len(p.Steps), p.Analysis
		if r.Step < len(p.Steps) {
			out.BakeSeconds = p.Steps[r.Step].Bake.Duration.Seconds()
		}
	}
	out.Analysis = runView(r.Analysis, a)
	return out
}

func zeroOverride(o store.FlagOverride) bool {
	return o.Enabled == nil && !o.Killed && o.Default == "" && len(o.Rollout) == 0
}

// flagList handles GET /v1/flags (?stale=true: only the stale ones).
func (h *handler) flagList(w http.ResponseWriter, r *http.Request) {
	out := []api.Flag{}
	err := h.in(r).Store.View(r.Context(), func(tx store.Tx) error {
		v, err := readFlags(tx, h.cfg.Clock.Now())
		for _, key := range slices.Sorted(maps.Keys(v.cfg.Flags)) {
			if f, _ := v.flag(key); f.Stale || r.URL.Query().Get("stale") != "true" {
				out = append(out, f)
			}
		}
		return err
	})
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// flagGet handles GET /v1/flags/{key}.
func (h *handler) flagGet(w http.ResponseWriter, r *http.Request) {
	var out api.Flag
	err := h.in(r).Store.View(r.Context(), func(tx store.Tx) error {
		v, err := readFlags(tx, h.cfg.Clock.Now())
		if err != nil {
			return err
		}
		f, ok := v.flag(r.PathValue("key"))
		if !ok {
			return store.NotFoundf("flag %q does not exist", r.PathValue("key"))
		}
		out = f
		return nil
	})
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// flagEdits are the run-time edits POST /v1/flags/{key}/{verb} makes.
var flagEdits = map[string]func(req api.FlagRequest) (stack.FlagEdit, error){
	"enable":  func(req api.FlagRequest) (stack.FlagEdit, error) { return stack.EnableFlag(req.Reason), nil },
	"disable": func(req api.FlagRequest) (stack.FlagEdit, error) { return stack.DisableFlag(req.Reason), nil },
	"kill":    func(req api.FlagRequest) (stack.FlagEdit, error) { return stack.KillFlag(req.Reason), nil },
	"set": func(req api.FlagRequest) (stack.FlagEdit, error) {
		if req.Variant == "" {
			return stack.FlagEdit{}, store.Invalidf("set needs the variant to serve by default")
		}
		return stack.SetFlagDefault(req.Variant, req.Reason), nil
	},
	"rollout": func(req api.FlagRequest) (stack.FlagEdit, error) {
		if (req.Percent == nil) == (req.Split == nil) {
			return stack.FlagEdit{}, store.Invalidf("rollout needs either a percentage (25%%) or a split (on=25,off=75)")
		}
		var p float64
		if req.Percent != nil {
			p = *req.Percent
		}
		return stack.RolloutFlag(req.Split, p, req.Reason), nil
	},
}

// flagVerb handles POST /v1/flags/{key}/{verb} and answers with the flag
// as it is served after the edit.
func (h *handler) flagVerb(w http.ResponseWriter, r *http.Request) {
	key, verb := r.PathValue("key"), r.PathValue("verb")
	if verb == "evaluate" {
		h.flagEvaluate(w, r)
		return
	}
	mk, ok := flagEdits[verb]
	var req api.FlagRequest
	err := decodeOptional(r, &req)
	if err == nil && !ok {
		err = store.NotFoundf("no flag verb %q: enable, disable, kill, set, rollout or evaluate", verb)
	}
	var out api.Flag
	if err == nil {
		err = h.in(r).Store.Update(r.Context(), func(tx store.Tx) error {
			edit, err := mk(req)
			if err == nil {
				err = stack.EditFlag(tx, key, edit, h.cfg.Clock.Now())
			}
			if err != nil {
				return err
			}
			v, err := readFlags(tx, h.cfg.Clock.Now())
			out, _ = v.flag(key)
			return err
		})
	}
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	h.in(r).Enqueue(queue.FlagKey(key)) // a kill stops a release in flight
	writeJSON(w, http.StatusOK, out)
}

// flagEvaluate evaluates one flag for a context, as OFREP would, for
// `slipway flags eval` (with the admin token, not an evaluation key).
func (h *handler) flagEvaluate(w http.ResponseWriter, r *http.Request) {
	var req api.EvaluateRequest
	var set *flags.Set
	err := decodeOptional(r, &req)
	if err == nil {
		err = h.in(r).Store.View(r.Context(), func(tx store.Tx) error {
			c, err := tx.GetFlagConfig()
			if errors.Is(err, store.ErrNotFound) {
				set, err = flags.Compile(nil, nil, nil)
				return err
			}
			if err == nil {
				set, err = stack.CompileFlags(c)
			}
			return err
		})
	}
	if err != nil {
		writeError(w, h.cfg.Logger, fmt.Errorf("evaluate: %w", err))
		return
	}
	c := flags.Context{Attributes: req.Context}
	if k, ok := req.Context["targetingKey"].(string); ok {
		c.TargetingKey = k
	}
	res := set.Evaluate(r.PathValue("key"), c)
	writeJSON(w, http.StatusOK, api.FlagEvaluation{Key: res.Key, Value: res.Value, Variant: res.Variant, Reason: string(res.Reason),
		ErrorCode: string(res.ErrorCode), ErrorDetails: res.ErrorDetails})
}

// decodeOptional decodes a JSON body when there is one.
func decodeOptional(r *http.Request, v any) error {
	if r.ContentLength == 0 {
		return nil
	}
	return decodeJSON(r, v)
}
