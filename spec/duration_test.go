package spec

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

func TestDurationRoundTrip(t *testing.T) {
	type doc struct {
		D Duration `yaml:"d" json:"d"`
	}
	cases := []struct {
		in   string
		want time.Duration
	}{
		{"0s", 0},
		{"1s", time.Second},
		{"2m30s", 150 * time.Second},
		{"500ms", 500 * time.Millisecond},
		{"1h", time.Hour},
		{"2m", 2 * time.Minute},
		{"1h0m1s", time.Hour + time.Second},
		{"-1s", -time.Second},
	}
	for _, c := range cases {
		var y doc
		if err := yaml.Unmarshal([]byte("d: "+c.in), &y); err != nil || y.D.Duration != c.want {
			t.Errorf("YAML %q = %v, %v; want %v", c.in, y.D, err, c.want)
		}
		out, err := yaml.Marshal(y)
		if err != nil || strings.TrimSpace(string(out)) != "d: "+c.in {
			t.Errorf("YAML marshal %v = %q, %v", c.want, out, err)
		}
		j, err := json.Marshal(y)
		if err != nil || string(j) != `{"d":"`+c.in+`"}` {
			t.Errorf("JSON marshal %v = %s, %v", c.want, j, err)
		}
		var back doc
		if err := json.Unmarshal(j, &back); err != nil || back != y {
			t.Errorf("JSON round trip %s = %v, %v", j, back, err)
		}
	}
}

func TestDurationErrors(t *testing.T) {
	for _, in := range []string{"5", "soon", "1 s", "[1s]"} {
		var d struct {
			D Duration `yaml:"d"`
		}
		if err := yaml.Unmarshal([]byte("d: "+in), &d); err == nil {
			t.Errorf("YAML %q: no error", in)
		}
	}
	var d Duration
	if err := json.Unmarshal([]byte(`5`), &d); err == nil {
		t.Error("JSON number: no error")
	}
}
