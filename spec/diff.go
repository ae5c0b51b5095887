package spec

import (
	"fmt"
	"slices"
	"strings"
)

// ChangeSet is what applying a new spec would change, service by service
// (what `slipway plan` shows). Every list is sorted by name.
type ChangeSet struct {
	Added     []string
	Changed   []ServiceChange
	Removed   []string
	Unchanged []string
}

// ServiceChange is one service whose effective spec differs.
type ServiceChange struct {
	Name   string
	Fields []FieldChange
}

// FieldChange is one setting that differs, by its dotted path
// (instances, env.GREETING, run[2]). Old or New is "(none)" when the
// setting is absent on that side.
type FieldChange struct {
	Path     string
	Old, New string
}

// noneValue stands for a setting that is absent.
const noneValue = "(none)"

// Diff compares the effective specs of two sets of services by name.
// Flags and segments have their own: DiffFlags, DiffSegments.
func Diff(old, new map[string]*Service) ChangeSet { return diffNamed(old, new, flatten) }

// diffNamed compares two sets of named things by their flattened
// settings.
func diffNamed[T any](old, new map[string]T, flat func(T) []setting) ChangeSet {
	var c ChangeSet
	for _, name := range sortedNames(new) {
		o, ok := old[name]
		if !ok {
			c.Added = append(c.Added, name)
			continue
		}
		if fields := diffSettings(flat(o), flat(new[name])); len(fields) > 0 {
			c.Changed = append(c.Changed, ServiceChange{Name: name, Fields: fields})
		} else {
			c.Unchanged = append(c.Unchanged, name)
		}
	}
	for _, name := range sortedNames(old) {
		if _, ok := new[name]; !ok {
			c.Removed = append(c.Removed, name)
		}
	}
	return c
}

// DiffService returns the settings that differ between two versions of a
// service, in field order: fields of old first, then those only in new.
func DiffService(old, new *Service) []FieldChange {
	return diffSettings(flatten(old), flatten(new))
}

// diffSettings returns the settings that differ, in the order of fo,
// then those only in fn.
func diffSettings(fo, fn []setting) []FieldChange {
	nv := make(map[string]string, len(fn))
	for _, s := range fn {
		nv[s.path] = s.value
	}
	var out []FieldChange
	seen := make(map[string]bool, len(fo))
	for _, s := range fo {
		seen[s.path] = true
		n, ok := nv[s.path]
		if !ok {
			n = noneValue
		}
		if n != s.value {
			out = append(out, FieldChange{s.path, s.value, n})
		}
	}
	for _, s := range fn {
		if !seen[s.path] {
			out = append(out, FieldChange{s.path, noneValue, s.value})
		}
	}
	return out
}

// Empty reports whether nothing would change.
func (c ChangeSet) Empty() bool {
	return len(c.Added) == 0 && len(c.Changed) == 0 && len(c.Removed) == 0
}

// String renders the change set like a plan:
//
//   - invoice (new)
//     ~ order
//     instances: 2 -> 3
//     env.GREETING: (none) -> hello
//   - legacy (removed)
//
// or "no changes" when it is empty.
func (c ChangeSet) String() string {
	if c.Empty() {
		return "no changes\n"
	}
	var b strings.Builder
	for _, name := range c.Added {
		fmt.Fprintf(&b, "+ %s (new)\n", name)
	}
	for _, sc := range c.Changed {
		fmt.Fprintf(&b, "~ %s\n", sc.Name)
		for _, f := range sc.Fields {
			fmt.Fprintf(&b, "    %s: %s -> %s\n", f.Path, f.Old, f.New)
		}
	}
	for _, name := range c.Removed {
		fmt.Fprintf(&b, "- %s (removed)\n", name)
	}
	return b.String()
}

// Names returns every service the change set touches, sorted.
func (c ChangeSet) Names() []string {
	names := slices.Concat(c.Added, c.Removed)
	for _, sc := range c.Changed {
		names = append(names, sc.Name)
	}
	slices.Sort(names)
	return names
}
