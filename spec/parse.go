package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	yaml "go.yaml.in/yaml/v3"
)

// Parse reads an app spec from data, which came from file (the name is
// only used in problems). It reports every problem it finds at once, as
// a *Problems error, each with the line and the dotted path of the field.
// On success every field of the returned App holds its effective value:
// defaults are applied and each Service.Name is set from its key.
func Parse(file string, data []byte) (*App, error) {
	return ParseWith(file, data, Options{})
}

// MaxSize is the largest spec Parse reads. Real specs are a few KiB; the
// limit keeps a hostile one from costing the server much.
const MaxSize = 1 << 20

// parseYAML parses data into a node tree and checks that it is one
// document holding a mapping.
func parseYAML(file string, data []byte) (root *yaml.Node, prob *Problem) {
	if len(data) > MaxSize {
		return nil, &Problem{File: file, Line: 1, Message: fmt.Sprintf("file is %d bytes; a spec may be at most %d", len(data), MaxSize)}
	}
	defer func() {
		// yaml.v3 has panicked on hostile input before; a spec comes
		// from users over the API, so a parser bug must not take the
		// server down.
		if r := recover(); r != nil {
			root, prob = nil, &Problem{File: file, Line: 1, Message: fmt.Sprintf("invalid YAML: %v", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, syntaxProblem(file, data, err)
	}
	if len(doc.Content) == 0 {
		return nil, &Problem{File: file, Line: 1, Message: "file is empty: expected a mapping with app and services"}
	}
	root = resolve(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		return nil, &Problem{File: file, Line: root.Line, Column: root.Column,
			Message: "top level must be a mapping with app and services; got " + describe(root)}
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil: // text after the mapping that is no document ("{}0")
		return nil, syntaxProblem(file, data, err)
	default:
		return nil, &Problem{File: file, Line: max(next.Line, 1), Column: next.Column,
			Message: "only one YAML document is allowed (remove the ---)"}
	}
	return root, nil
}
