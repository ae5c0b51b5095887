package spec

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// maxNodes bounds the work one document can cause. Aliases let a small
// file stand for a huge tree (a "billion laughs"); a real spec is a few
// hundred nodes.
const maxNodes = 1 << 18

// maxMergeDepth bounds chains of YAML merge keys (<<: *base).
const maxMergeDepth = 16

// extensionPrefix marks keys the decoder ignores, as in Compose files:
// a place for YAML anchors shared by several services (x-base: &base).
const extensionPrefix = "x-"

// decoder fills Go values from a yaml.Node tree, the way yaml.v3 would,
// but records the position of every field it sets and keeps going after
// a problem so that all of them are reported at once.
type decoder struct {
	file   string
	index  index
	probs  Problems
	failed map[string]bool // paths whose value could not be decoded
	budget int
}

func newDecoder(file string) *decoder {
	return &decoder{file: file, index: index{}, failed: map[string]bool{}, budget: maxNodes}
}

// problem records a problem at node n.
func (d *decoder) problem(n *yaml.Node, path, format string, args ...any) {
	if d.probs.full() {
		return
	}
	d.probs.add(Problem{
		File: d.file, Line: n.Line, Column: n.Column,
		Path: path, Message: fmt.Sprintf(format, args...),
	})
}

// typeError records that the value at path has the wrong type, so that
// validation does not also complain about the zero value left there.
func (d *decoder) typeError(n *yaml.Node, path, format string, args ...any) {
	d.problem(n, path, format, args...)
	d.failed[path] = true
}

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

// value decodes n into v, which must be settable.
func (d *decoder) value(n *yaml.Node, v reflect.Value, path string) {
	if d.budget--; d.budget < 0 {
		if d.budget == -1 {
			d.problem(n, path, "document too large: more than %d nodes after expanding aliases", maxNodes)
		}
		return
	}
	n = resolve(n)
	if isNull(n) || d.probs.full() {
		v.SetZero()
		return
	}
	if reflect.PointerTo(v.Type()).Implements(unmarshalerType) {
		if err := v.Addr().Interface().(yaml.Unmarshaler).UnmarshalYAML(n); err != nil {
			d.typeError(n, path, "%s", err)
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		e := reflect.New(v.Type().Elem())
		d.value(n, e.Elem(), path)
		v.Set(e)
	case reflect.Struct:
		d.structure(n, v, path)
	case reflect.Map:
		d.mapping(n, v, path)
	case reflect.Slice:
		d.sequence(n, v, path)
	default:
		d.scalar(n, v, path)
	}
}

// structure decodes a mapping into a struct by its yaml tags, reporting
// unknown and repeated fields.
func (d *decoder) structure(n *yaml.Node, v reflect.Value, path string) {
	fields := fieldsOf(v.Type())
	if n.Kind != yaml.MappingNode {
		d.typeError(n, path, "must be a mapping with fields %s; got %s", strings.Join(fieldNames(fields), ", "), describe(n))
		return
	}
	for _, p := range d.pairs(n, path, 0) {
		if strings.HasPrefix(p.key.Value, extensionPrefix) {
			continue
		}
		i, ok := fieldIndex(fields, p.key.Value)
		if !ok {
			d.problem(p.key, joinPath(path, p.key.Value), "unknown field %q%s; valid: %s",
				p.key.Value, didYouMean(p.key.Value, fieldNames(fields)), strings.Join(fieldNames(fields), ", "))
			continue
		}
		fp := joinPath(path, p.key.Value)
		d.index.set(fp, p.key)
		d.value(p.value, v.Field(i), fp)
	}
}

// mapping decodes a mapping into a map with string keys.
func (d *decoder) mapping(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.typeError(n, path, "must be a mapping; got %s", describe(n))
		return
	}
	m := reflect.MakeMap(v.Type())
	for _, p := range d.pairs(n, path, 0) {
		fp := joinPath(path, p.key.Value)
		d.index.set(fp, p.key)
		e := reflect.New(v.Type().Elem()).Elem()
		d.value(p.value, e, fp)
		m.SetMapIndex(reflect.ValueOf(p.key.Value).Convert(v.Type().Key()), e)
	}
	v.Set(m)
}

// sequence decodes a list into a slice.
func (d *decoder) sequence(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.typeError(n, path, "must be a list, like [a, b]; got %s", describe(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		ip := path + "[" + strconv.Itoa(i) + "]"
		d.index.set(ip, item)
		d.value(item, s.Index(i), ip)
	}
	v.Set(s)
}

// scalar decodes a string, number or boolean with yaml.v3's own rules
// (so 0x10 and 1_000 are integers, and any scalar can be a string).
func (d *decoder) scalar(n *yaml.Node, v reflect.Value, path string) {
	want := typeName(v.Type())
	if n.Kind != yaml.ScalarNode {
		d.typeError(n, path, "must be %s; got %s", want, describe(n))
		return
	}
	if err := n.Decode(v.Addr().Interface()); err != nil || fraction(n, v) {
		d.typeError(n, path, "must be %s; got %s", want, describe(n))
	}
}

// fraction reports whether n is a number with a fractional part decoded
// into an integer: yaml.v3 truncates it (instances: 1.5 would run one),
// where the user should hear that it must be whole.
func fraction(n *yaml.Node, v reflect.Value) bool {
	if n.ShortTag() != "!!float" || !v.CanInt() {
		return false
	}
	var f float64
	return n.Decode(&f) == nil && f != math.Trunc(f)
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 8; i++ {
		n = n.Alias
	}
	return n
}

// isNull reports whether n is an explicit or implicit null (`key:`).
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names what a node holds, for "must be X; got Y" messages.
func describe(n *yaml.Node) string {
	n = resolve(n)
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		v := n.Value
		if len(v) > 40 {
			v = v[:40] + "..."
		}
		switch n.ShortTag() {
		case "!!int", "!!float":
			return "the number " + v
		case "!!bool":
			return "the boolean " + v
		case "!!null":
			return "null"
		}
		return fmt.Sprintf("the string %q", v)
	}
	return "an unsupported YAML node"
}

// typeName says what a Go type expects, for error messages.
func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "an integer"
	case reflect.Float64, reflect.Float32:
		return "a number"
	case reflect.Bool:
		return "true or false"
	}
	return "a " + t.Kind().String()
}
