package spec

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// setting is one leaf of a flattened service: a dotted path and its value
// in compact form.
type setting struct{ path, value string }

// flatten lists a service's effective settings (defaults applied, Name
// left out) as dotted paths in the order the fields are declared:
// run[0], env.GREETING, instances, health.readiness.interval, ...
// Empty strings, empty lists and maps, and nil pointers are left out:
// they mean "not set".
func flatten(s *Service) []setting {
	if s == nil {
		return nil
	}
	eff := s.Clone()
	eff.ApplyDefaults()
	var out []setting
	flattenValue(reflect.ValueOf(eff).Elem(), "", &out)
	// Secret versions are no YAML field (the server sets them) but are
	// part of what runs: a changed secret is a changed service.
	for _, name := range sortedNames(eff.SecretVersions) {
		out = append(out, setting{"secret." + name, "version " + strconv.Itoa(eff.SecretVersions[name])})
	}
	return out
}

var stringerType = reflect.TypeFor[fmt.Stringer]()

func flattenValue(v reflect.Value, path string, out *[]setting) {
	if v.Type().Implements(stringerType) && v.Kind() != reflect.Pointer {
		*out = append(*out, setting{path, v.Interface().(fmt.Stringer).String()})
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			flattenValue(v.Elem(), path, out)
		}
	case reflect.Struct:
		for _, f := range fieldsOf(v.Type()) {
			flattenValue(v.Field(f.index), joinPath(path, f.name), out)
		}
	case reflect.Map:
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			flattenValue(v.MapIndex(k), path+"."+k.String(), out)
		}
	case reflect.Slice:
		for i := range v.Len() {
			flattenValue(v.Index(i), path+"["+strconv.Itoa(i)+"]", out)
		}
	case reflect.String:
		if v.String() != "" {
			*out = append(*out, setting{path, compact(v.String())})
		}
	default:
		*out = append(*out, setting{path, scalarString(v)})
	}
}

// scalarString formats a number or boolean.
func scalarString(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Float64, reflect.Float32:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	case reflect.Int, reflect.Int64, reflect.Int32:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	}
	return fmt.Sprint(v.Interface())
}

// compact quotes a string only when it would read ambiguously bare.
func compact(s string) string {
	if s == "" || s == noneValue || strings.ContainsAny(s, " \t\n\"'") || strings.Contains(s, " -> ") {
		return strconv.Quote(s)
	}
	return s
}

// Equal reports whether two services would run the same way: their
// effective settings match. Name is ignored.
func Equal(a, b *Service) bool {
	fa, fb := flatten(a), flatten(b)
	if len(fa) != len(fb) {
		return false
	}
	for i := range fa {
		if fa[i] != fb[i] {
			return false
		}
	}
	return true
}
