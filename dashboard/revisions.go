package dashboard

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"

	"github.com/slipway-dev/slipway/api"
)

// diffLine is one field that differs between two revisions' specs.
type diffLine struct{ Path, Old, New string }

type revisionsData struct {
	Env, Name string
	Revisions []api.Revision
	A, B      int
	Diff      []diffLine
	History   []api.Event
}

// revisions shows every revision, the spec diff between two (?a=&b=,
// by default the current one and the one before), and who deployed
// what, with rollbacks and their reasons.
func (d *Dashboard) revisions(r *http.Request, se session) (view, error) {
	env, name := r.URL.Query().Get("env"), r.PathValue("name")
	out := revisionsData{Env: env, Name: name}
	v := view{Template: "revisions", Title: name + ": revisions", Data: &out}
	if err := d.get(r.Context(), se, env, "/v1/services/"+esc(name)+"/revisions", &out.Revisions); err != nil {
		return v, err
	}
	if len(out.Revisions) == 0 {
		return v, &apiError{Status: http.StatusNotFound, Kind: api.KindNotFound, Message: "service " + name + " has no revisions"}
	}
	byNum := map[int]api.Revision{}
	for _, rv := range out.Revisions {
		byNum[rv.Number] = rv
	}
	last := out.Revisions[len(out.Revisions)-1].Number
	out.A, out.B = queryRev(r, "a", last-1), queryRev(r, "b", last)
	ra, okA := byNum[out.A]
	rb, okB := byNum[out.B]
	for _, q := range []struct {
		key string
		n   int
		ok  bool
	}{{"a", out.A, okA}, {"b", out.B, okB}} {
		if r.URL.Query().Has(q.key) && (!q.ok || strconv.Itoa(q.n) != r.URL.Query().Get(q.key)) {
			return v, &apiError{Status: http.StatusNotFound, Kind: api.KindNotFound, Message: fmt.Sprintf("%s has no revision %s (it has 1..%d)", name, r.URL.Query().Get(q.key), last)}
		}
	}
	if okA && okB {
		out.Diff = specDiff(ra.Spec, rb.Spec)
	}
	evs, _ := d.newestEvents(r.Context(), se, env, name, 1000)
	for _, e := range evs {
		if _, ok := deployHistory[e.Type]; ok {
			out.History = append(out.History, e)
		}
	}
	return v, nil
}

func queryRev(r *http.Request, key string, def int) int {
	if n, err := strconv.Atoi(r.URL.Query().Get(key)); err == nil {
		return n
	}
	return def
}

// specDiff compares two specs field by field (JSON paths).
func specDiff(a, b json.RawMessage) []diffLine {
	fa, fb := map[string]string{}, map[string]string{}
	flatten("", a, fa)
	flatten("", b, fb)
	keys := map[string]bool{}
	for k := range fa {
		keys[k] = true
	}
	for k := range fb {
		keys[k] = true
	}
	var out []diffLine
	for k := range keys {
		if fa[k] != fb[k] {
			out = append(out, diffLine{Path: k, Old: fa[k], New: fb[k]})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// flatten records each leaf of a JSON document under its dotted path.
func flatten(prefix string, raw json.RawMessage, out map[string]string) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) == nil && obj != nil {
		for k, v := range obj {
			flatten(join(prefix, k), v, out)
		}
		return
	}
	var arr []json.RawMessage
	if json.Unmarshal(raw, &arr) == nil && arr != nil {
		for i, v := range arr {
			flatten(fmt.Sprintf("%s[%d]", prefix, i), v, out)
		}
		return
	}
	out[prefix] = string(raw)
}

func join(prefix, k string) string {
	if prefix == "" {
		return k
	}
	return prefix + "." + k
}
