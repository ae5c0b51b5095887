package config

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"

	"github.com/slipway-dev/slipway/spec"
)

// Change is one leaf value that differs between two versions: Old is
// empty for an added field, New for a removed one (both as JSON).
type Change struct {
	Path string `json:"path"`
	Old  string `json:"old,omitempty"`
	New  string `json:"new,omitempty"`
}

// Diff returns the leaf values that differ between a and b, by path.
// Objects are compared field by field; any other value (a list
// included) as a whole.
func Diff(a, b spec.ConfigValues) []Change {
	fa, fb := map[string]string{}, map[string]string{}
	flatten("", map[string]any(a), fa)
	flatten("", map[string]any(b), fb)
	keys := slices.Sorted(maps.Keys(fa))
	for k := range fb {
		if _, ok := fa[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []Change
	for _, k := range keys {
		if fa[k] != fb[k] {
			out = append(out, Change{Path: k, Old: fa[k], New: fb[k]})
		}
	}
	return out
}

func flatten(prefix string, v any, out map[string]string) {
	if m, ok := v.(map[string]any); ok && (len(m) > 0 || prefix == "") {
		for k, child := range m {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			flatten(p, child, out)
		}
		return
	}
	b, _ := json.Marshal(v) // values are JSON already
	out[prefix] = string(b)
}

// Version labels a version number for messages: "v3".
func Version(n int) string { return "v" + strconv.Itoa(n) }
