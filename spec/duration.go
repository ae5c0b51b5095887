package spec

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

// ParseDuration parses a duration written with units, like 500ms, 1s or
// 2m30s. A bare number other than 0 is rejected: its unit would be a guess.
func ParseDuration(s string) (Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return Duration{}, fmt.Errorf("invalid duration %q: use a number with a unit, like 500ms, 1s or 2m30s", s)
	}
	return Duration{d}, nil
}

// String formats the duration like time.Duration does ("2m30s"), without
// trailing zero units ("2m", not "2m0s"), which ParseDuration reads back.
func (d Duration) String() string {
	s := d.Duration.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// UnmarshalYAML reads a duration from a YAML scalar ("1s"); null is zero.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if isNull(n) {
		*d = Duration{}
		return nil
	}
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("must be a duration like 1s or 2m30s, got %s", describe(n))
	}
	v, err := ParseDuration(n.Value)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalYAML writes the duration as a string ("2m30s").
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// MarshalJSON writes the duration as a JSON string ("2m30s").
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a duration from a JSON string ("2m30s").
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string like \"1s\": %w", err)
	}
	v, err := ParseDuration(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}
