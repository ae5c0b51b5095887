package spec

import (
	"encoding/json"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

func TestParseQuantity(t *testing.T) {
	cases := []struct {
		in   string
		want Quantity
		str  string
	}{
		{"0", 0, "0"},
		{"1", 1, "1"},
		{"1000", 1000, "1k"},
		{"1k", 1000, "1k"},
		{"1Ki", 1024, "1Ki"},
		{"128Mi", 128 << 20, "128Mi"},
		{"1Gi", 1 << 30, "1Gi"},
		{"1.5Gi", 3 << 29, "1536Mi"},
		{"500M", 500e6, "500M"},
		{"2E", 2e18, "2E"},
		{"1e3", 1000, "1k"},
		{"134217728", 128 << 20, "128Mi"},
		{"1000001", 1000001, "1000001"},
		{"-1Mi", -1 << 20, "-1Mi"},
	}
	for _, c := range cases {
		got, err := ParseQuantity(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseQuantity(%q) = %d, %v; want %d", c.in, got, err, c.want)
			continue
		}
		if got.String() != c.str {
			t.Errorf("Quantity(%d).String() = %q, want %q", got, got.String(), c.str)
		}
	}
}

func TestParseQuantityErrors(t *testing.T) {
	cases := map[string]string{
		"128MB":  `unknown unit "MB"`,
		"128mi":  `(did you mean "Mi"?)`,
		"":       "use a number",
		"Mi":     "use a number",
		"0.5":    "not a whole number of bytes",
		"1/2Gi":  "use a number",
		"1e999":  "use a number",
		"16Ei":   "too large",
		"1.2.3k": "use a number",
	}
	for in, want := range cases {
		_, err := ParseQuantity(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseQuantity(%q) error = %v, want ...%s...", in, err, want)
		}
	}
}

func TestQuantityRoundTrip(t *testing.T) {
	type doc struct {
		Memory Quantity `yaml:"memory" json:"memory"`
	}
	for _, q := range []Quantity{0, 1, 1000, 1 << 10, 128 << 20, 500e6, 1<<30 + 1} {
		y, err := yaml.Marshal(doc{q})
		if err != nil {
			t.Fatal(err)
		}
		var fromYAML doc
		if err := yaml.Unmarshal(y, &fromYAML); err != nil || fromYAML.Memory != q {
			t.Errorf("YAML %q -> %d, %v; want %d", y, fromYAML.Memory, err, q)
		}
		j, err := json.Marshal(doc{q})
		if err != nil {
			t.Fatal(err)
		}
		var fromJSON doc
		if err := json.Unmarshal(j, &fromJSON); err != nil || fromJSON.Memory != q {
			t.Errorf("JSON %s -> %d, %v; want %d", j, fromJSON.Memory, err, q)
		}
	}
	if j, _ := json.Marshal(doc{128 << 20}); string(j) != `{"memory":134217728}` {
		t.Errorf("JSON = %s, want bytes as an integer", j)
	}
	var d doc
	if err := json.Unmarshal([]byte(`{"memory":"1Gi"}`), &d); err != nil || d.Memory != 1<<30 {
		t.Errorf("JSON string quantity = %d, %v", d.Memory, err)
	}
}
