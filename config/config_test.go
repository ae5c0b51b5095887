package config

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/spec"
)

func TestAssign(t *testing.T) {
	base := spec.ConfigValues{"timeoutMs": 2000.0, "limits": map[string]any{"perUser": 5.0}, "name": "x"}
	cases := []struct {
		in   []string
		want string // canonical JSON, or an error's words
	}{
		{[]string{"timeoutMs=3000"}, `{"limits":{"perUser":5},"name":"x","timeoutMs":3000}`},
		{[]string{"debug=true", "level=info"}, `{"debug":true,"level":"info","limits":{"perUser":5},"name":"x","timeoutMs":2000}`},
		{[]string{"limits.perUser=7", "limits.burst.max=9"}, `{"limits":{"burst":{"max":9},"perUser":7},"name":"x","timeoutMs":2000}`},
		{[]string{`obj={"a":[1,2]}`}, `{"limits":{"perUser":5},"name":"x","obj":{"a":[1,2]},"timeoutMs":2000}`},
		{[]string{"name=3000 ms"}, `{"limits":{"perUser":5},"name":"3000 ms","timeoutMs":2000}`},
		{[]string{"name="}, `{"limits":{"perUser":5},"name":"","timeoutMs":2000}`},
		{[]string{"name.first=a"}, `error: name is a string, not an object`},
		{[]string{"nokey"}, `error: want key=value`},
		{[]string{"a..b=1"}, `error: empty field name`},
	}
	for _, c := range cases {
		got, err := Assign(base, c.in)
		if strings.HasPrefix(c.want, "error: ") {
			if err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(c.want, "error: ")) {
				t.Errorf("%v: err %v, want %s", c.in, err, c.want)
			}
			continue
		}
		if err != nil || string(Canonical(got)) != c.want {
			t.Errorf("%v: %s %v, want %s", c.in, Canonical(got), err, c.want)
		}
	}
	if base["timeoutMs"] != 2000.0 || base["limits"].(map[string]any)["perUser"] != 5.0 {
		t.Errorf("Assign changed its input: %v", base)
	}
}

func TestParseDocument(t *testing.T) {
	cases := []struct{ name, doc, want string }{
		{"json", `{"a": 1, "b": {"c": "d"}}`, `{"a":1,"b":{"c":"d"}}`},
		{"yaml", "a: 1\nb: {c: d}\n", `{"a":1,"b":{"c":"d"}}`},
		{"broken json", `{"a": }`, "error: not valid JSON"},
		{"neither", "a: [\n", "error: neither JSON nor YAML"},
		{"a list", "[1, 2]", "error: must hold an object of values"},
		{"empty", "", "error: got nothing"},
	}
	for _, c := range cases {
		got, err := ParseDocument("f", []byte(c.doc))
		if strings.HasPrefix(c.want, "error: ") {
			if err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(c.want, "error: ")) {
				t.Errorf("%s: err %v, want %s", c.name, err, c.want)
			}
			continue
		}
		if err != nil || string(Canonical(got)) != c.want {
			t.Errorf("%s: %s %v", c.name, Canonical(got), err)
		}
	}
}

const schema = `{"type": "object", "required": ["timeoutMs"], "properties": {
  "timeoutMs": {"type": "integer", "minimum": 1},
  "limits": {"type": "object", "properties": {"perUser": {"type": "number", "maximum": 100}}},
  "logLevel": {"enum": ["debug", "info", "warn"]}}, "additionalProperties": false}`

func TestCheckerReportsEveryProblemWithItsPath(t *testing.T) {
	c, err := NewChecker(schema, []string{"config.timeoutMs <= 30000", "config.retries in [0, 1, 2, 3]"})
	if err != nil {
		t.Fatal(err)
	}
	ok := spec.ConfigValues{"timeoutMs": 2000.0, "retries": 2.0}
	c2, _ := NewChecker("", []string{"config.retries in [0, 1, 2, 3]"})
	if ps := c2.Check(ok); len(ps) != 0 {
		t.Errorf("valid values: %v", ps)
	}
	bad := spec.ConfigValues{"timeoutMs": 40000.5, "limits": map[string]any{"perUser": 500.0}, "logLevel": "loud", "retries": 9.0}
	got := (&Problems{List: c.Check(bad)}).Error()
	for _, want := range []string{"timeoutMs: ", "limits.perUser: ", "logLevel: ", "additional properties 'retries'",
		"config.timeoutMs <= 30000 is false", "config.retries in [0, 1, 2, 3] is false"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}
}

func TestNewCheckerRefusesAnInvalidSchemaAndRule(t *testing.T) {
	for _, c := range []struct{ schema, rule, want string }{
		{`{"type": "objekt"}`, "true", "schema: invalid JSON Schema"},
		{`{"type": `, "true", "schema: not JSON"},
		{`{"$ref": "file:///etc/passwd"}`, "true", "schema: invalid JSON Schema"},
		{"", "config.a <=", "rules[0]: "},
		{"", "config.a + 1", "want bool"},
	} {
		_, err := NewChecker(c.schema, []string{c.rule})
		var ps *Problems
		if !errors.As(err, &ps) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %s: %v, want %s", c.schema, c.rule, err, c.want)
		}
	}
}

func TestRunCommand(t *testing.T) {
	dir := t.TempDir()
	script := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	script("ok", `grep -q '"timeoutMs":2000' && exit 0; echo wrong input; exit 3`)
	script("no", "echo retries too high >&2; exit 1")
	script("hang", "sleep 30 & sleep 30")
	v := spec.ConfigValues{"timeoutMs": 2000.0}
	if p := RunCommand(context.Background(), dir, []string{"./ok"}, v, 5*time.Second); p != nil {
		t.Errorf("ok: %v", p)
	}
	if p := RunCommand(context.Background(), dir, []string{"./no"}, v, 5*time.Second); p == nil || !strings.Contains(p.Message, "retries too high") {
		t.Errorf("no: %v", p)
	}
	p := RunCommand(context.Background(), dir, []string{"./hang"}, v, 200*time.Millisecond)
	if p == nil || !strings.Contains(p.Message, "did not finish within 200ms") {
		t.Errorf("hang: %v", p)
	}
	if p := RunCommand(context.Background(), dir, []string{"./missing"}, v, time.Second); p == nil || p.Path != "validate" {
		t.Errorf("missing: %v", p)
	}
}

func TestValidateRunsTheCommandOnlyOnValuesTheSchemaAccepts(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "ran")
	def := Definition{Schema: schema, Validate: []string{"sh", "-c", "touch " + marker}, Dir: dir, Timeout: time.Second}
	if err := Validate(context.Background(), def, spec.ConfigValues{"timeoutMs": "x"}); err == nil {
		t.Fatal("valid")
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the command ran on values the schema refused")
	}
	if err := Validate(context.Background(), def, spec.ConfigValues{"timeoutMs": 5.0}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Error("the command did not run")
	}
}

func TestDiff(t *testing.T) {
	a := spec.ConfigValues{"t": 1.0, "n": map[string]any{"x": "a", "y": true}, "l": []any{1.0}}
	b := spec.ConfigValues{"t": 2.0, "n": map[string]any{"x": "a"}, "l": []any{1.0, 2.0}, "new": "z"}
	got := Diff(a, b)
	want := []Change{{"l", "[1]", "[1,2]"}, {"n.y", "true", ""}, {"new", "", `"z"`}, {"t", "1", "2"}}
	if len(got) != len(want) {
		t.Fatalf("%+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if len(Diff(a, a)) != 0 {
		t.Error("a differs from itself")
	}
}

func TestTargets(t *testing.T) {
	linear := spec.ConfigDelivery{Strategy: spec.ConfigStrategy{Linear: &spec.LinearDelivery{Steps: 4}}}
	expo := spec.ConfigDelivery{Strategy: spec.ConfigStrategy{Exponential: &spec.ExponentialDelivery{Factor: 2}}}
	all := spec.ConfigDelivery{}
	cases := []struct {
		d        spec.ConfigDelivery
		n        int
		want     []int // after steps 1, 2, ...
		describe string
	}{
		{linear, 10, []int{3, 5, 8, 10, 10}, "linear 4 steps of 10"},
		{linear, 2, []int{1, 1, 2, 2}, "linear 4 steps of 2"},
		{expo, 10, []int{1, 2, 4, 8, 10}, "exponential x2 of 10"},
		{all, 50, []int{50}, "all at once"},
		{linear, 0, []int{0}, "no instances"},
	}
	for _, c := range cases {
		for i, w := range c.want {
			if got := Targets(c.d, c.n, i+1); got != w {
				t.Errorf("%s: step %d: %d, want %d", c.describe, i+1, got, w)
			}
		}
	}
}
