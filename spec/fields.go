package spec

import (
	"reflect"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// field is a struct field as YAML names it.
type field struct {
	name  string
	index int
}

// fieldsOf lists the fields of a struct type that YAML can set, by their
// yaml tag names, in declaration order.
func fieldsOf(t reflect.Type) []field {
	var fs []field
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fs = append(fs, field{name, i})
	}
	return fs
}

func fieldIndex(fs []field, name string) (int, bool) {
	for _, f := range fs {
		if f.name == name {
			return f.index, true
		}
	}
	return 0, false
}

func fieldNames(fs []field) []string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.name
	}
	return names
}

// pair is one key and value of a mapping.
type pair struct{ key, value *yaml.Node }

// pairs returns a mapping's keys and values with YAML merge keys
// (<<: *base) expanded: keys written in the mapping win over merged ones.
// It reports keys that are not scalars and keys written twice.
func (d *decoder) pairs(n *yaml.Node, path string, depth int) []pair {
	var own, merged []pair
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), n.Content[i+1]
		switch {
		case k.Kind != yaml.ScalarNode:
			d.problem(k, path, "keys must be plain strings; got %s", describe(k))
		case k.ShortTag() == "!!merge":
			merged = append(merged, d.merge(v, path, depth)...)
		case seen[k.Value] != nil:
			d.problem(k, joinPath(path, k.Value), "%q is set twice (first on line %d)", k.Value, seen[k.Value].Line)
		default:
			seen[k.Value] = k
			own = append(own, pair{k, v})
		}
	}
	for _, p := range merged {
		if seen[p.key.Value] == nil {
			seen[p.key.Value] = p.key
			own = append(own, p)
		}
	}
	return own
}

// merge returns the pairs a merge key brings in: from a mapping or a
// list of mappings.
func (d *decoder) merge(v *yaml.Node, path string, depth int) []pair {
	v = resolve(v)
	if d.budget--; d.budget < 0 {
		return nil
	}
	if depth >= maxMergeDepth {
		d.problem(v, path, "merge keys (<<) nested more than %d deep", maxMergeDepth)
		return nil
	}
	switch v.Kind {
	case yaml.MappingNode:
		return d.pairs(v, path, depth+1)
	case yaml.SequenceNode:
		var ps []pair
		for _, item := range v.Content {
			ps = append(ps, d.merge(item, path, depth+1)...)
		}
		return ps
	}
	d.problem(v, path, "<< must merge a mapping or a list of mappings; got %s", describe(v))
	return nil
}
