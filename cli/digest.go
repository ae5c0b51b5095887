package cli

import (
	"bytes"
	"fmt"

	yaml "go.yaml.in/yaml/v3"
)

// withDigests returns the spec text with services.<name>.artifact.digest
// set for every service in digests. With nothing to add, the text is
// returned as it is.
//
// The text is decoded into a yaml.Node, edited and encoded again, which
// keeps comments and key order but may move lines (re-indenting, flow
// styles). So a problem the server reports in this text could name a
// line that differs from the user's file. We accept that: the CLI has
// already validated the file locally, with the user's own line numbers,
// so server-side problems are rare; api.ApplyRequest has no room to send
// the original text alongside.
func withDigests(text []byte, digests map[string]string) ([]byte, error) {
	if len(digests) == 0 {
		return text, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(text, &doc); err != nil {
		return nil, fmt.Errorf("add artifact digests: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, fmt.Errorf("add artifact digests: spec is not a YAML document")
	}
	services := mapValue(doc.Content[0], "services")
	for name, digest := range digests {
		artifact := mapValue(mapValue(services, name), "artifact")
		if artifact == nil || artifact.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("add artifact digests: services.%s.artifact is not a mapping", name)
		}
		setScalar(artifact, "digest", digest)
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("add artifact digests: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("add artifact digests: %w", err)
	}
	return b.Bytes(), nil
}

// mapValue returns the value of key in mapping m, or nil.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// setScalar sets key in mapping m to the string value, adding the key
// when it is missing.
func setScalar(m *yaml.Node, key, value string) {
	if v := mapValue(m, key); v != nil {
		*v = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value}
		return
	}
	m.Content = append(m.Content,
		&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key},
		&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value})
}
