package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/api"
)

func TestFlagEval(t *testing.T) {
	f, url := newFake(t)
	f.evaluation = api.FlagEvaluation{Value: true, Variant: "on", Reason: "TARGETING_MATCH"}
	res := run(t, url, "flags", "eval", "new-checkout", "--context", `{"targetingKey":"u1","country":"NL","seats":12345678901234567890}`)
	want := `flag:     new-checkout
value:    true
variant:  on
reason:   TARGETING_MATCH
`
	if res.code != 0 || res.stdout != want {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", res.code, res.stderr, res.stdout, want)
	}
	sent := map[string]any{"targetingKey": "u1", "country": "NL", "seats": json.Number("12345678901234567890")}
	if len(f.evals) != 1 || f.evals[0].key != "new-checkout" || !reflect.DeepEqual(f.evals[0].context, sent) {
		t.Errorf("requests %+v, want the context %v", f.evals, sent)
	}
}

// TestFlagEvalValues writes a value as JSON: a string is quoted, false
// and objects are shown.
func TestFlagEvalValues(t *testing.T) {
	f, url := newFake(t)
	for _, tc := range []struct {
		ev   api.FlagEvaluation
		want string
	}{
		{api.FlagEvaluation{Value: false, Variant: "off", Reason: "DISABLED"}, "value:    false\nvariant:  off\nreason:   DISABLED\n"},
		{api.FlagEvaluation{Value: "#ff0000", Variant: "red", Reason: "SPLIT"}, "value:    \"#ff0000\"\nvariant:  red\nreason:   SPLIT\n"},
		{api.FlagEvaluation{Value: map[string]any{"limit": 10.0}, Variant: "pro", Reason: "STATIC"},
			"value:    {\"limit\":10}\nvariant:  pro\nreason:   STATIC\n"},
	} {
		f.evaluation = tc.ev
		res := run(t, url, "flags", "eval", "x")
		if res.code != 0 || res.stdout != "flag:     x\n"+tc.want {
			t.Errorf("exit %d, stderr %q, stdout:\n%s", res.code, res.stderr, res.stdout)
		}
	}
}

// TestFlagEvalContextFile reads the context from @FILE; without
// --context the context is empty.
func TestFlagEvalContextFile(t *testing.T) {
	f, url := newFake(t)
	f.evaluation = api.FlagEvaluation{Value: false, Variant: "off", Reason: "DEFAULT"}
	file := filepath.Join(t.TempDir(), "ctx.json")
	if err := os.WriteFile(file, []byte("{\n  \"targetingKey\": \"u2\",\n  \"plan\": \"pro\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if res := run(t, url, "flags", "eval", "new-checkout", "--context", "@"+file); res.code != 0 {
		t.Fatalf("exit %d, stderr %q", res.code, res.stderr)
	}
	if res := run(t, url, "flags", "eval", "new-checkout"); res.code != 0 {
		t.Fatalf("exit %d, stderr %q", res.code, res.stderr)
	}
	want := []flagCall{
		{key: "new-checkout", verb: "evaluate", context: map[string]any{"targetingKey": "u2", "plan": "pro"}},
		{key: "new-checkout", verb: "evaluate", context: map[string]any{}},
	}
	if !reflect.DeepEqual(f.evals, want) {
		t.Errorf("requests %+v, want %+v", f.evals, want)
	}
}

func TestFlagEvalJSON(t *testing.T) {
	f, url := newFake(t)
	f.evaluation = api.FlagEvaluation{Value: "#ff0000", Variant: "red", Reason: "SPLIT"}
	res := run(t, url, "flags", "eval", "banner-color", "-o", "json", "--context", `{"targetingKey":"u1"}`)
	var got api.FlagEvaluation
	if err := json.Unmarshal([]byte(res.stdout), &got); err != nil || res.code != 0 {
		t.Fatalf("exit %d, %v; stdout %s", res.code, err, res.stdout)
	}
	if want := (api.FlagEvaluation{Key: "banner-color", Value: "#ff0000", Variant: "red", Reason: "SPLIT"}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

// TestFlagEvalError prints a failed evaluation, and fails with its code
// and details; -o json prints it all too.
func TestFlagEvalError(t *testing.T) {
	f, url := newFake(t)
	f.evaluation = api.FlagEvaluation{Reason: "ERROR", ErrorCode: "TARGETING_KEY_MISSING",
		ErrorDetails: "flag new-checkout splits by targetingKey: the context has none"}
	res := run(t, url, "flags", "eval", "new-checkout", "--context", `{"country":"NL"}`)
	if res.code != 1 || res.stdout != "flag:    new-checkout\nreason:  ERROR\n" ||
		res.stderr != "error: TARGETING_KEY_MISSING: flag new-checkout splits by targetingKey: the context has none\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}
	res = run(t, url, "flags", "eval", "new-checkout", "-o", "json")
	var got api.FlagEvaluation
	if err := json.Unmarshal([]byte(res.stdout), &got); err != nil || res.code != 1 || got.ErrorCode != "TARGETING_KEY_MISSING" {
		t.Fatalf("exit %d, %v; stdout %s", res.code, err, res.stdout)
	}
	f.evaluation = api.FlagEvaluation{Reason: "ERROR", ErrorCode: "GENERAL"}
	if res := run(t, url, "flags", "eval", "x"); res.code != 1 || res.stderr != "error: GENERAL\n" {
		t.Fatalf("exit %d, stderr %q", res.code, res.stderr)
	}
}

// TestFlagEvalBadContext refuses a context that is no JSON object as a
// usage error, before anything is sent.
func TestFlagEvalBadContext(t *testing.T) {
	f, url := newFake(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"targetingKey": "u1",}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ context, want string }{
		{`{bad`, "invalid character 'b' looking for beginning of object key string"},
		{`{"targetingKey":"u1"`, "unexpected EOF"},
		{`["u1"]`, "cannot unmarshal array into Go value of type map[string]interface {}"},
		{`"u1"`, "cannot unmarshal string into Go value of type map[string]interface {}"},
		{`null`, "got null"},
		{``, "EOF"},
		{`{"a":1} {"b":2}`, "more after the object"},
		{"@" + bad, "invalid character '}' looking for beginning of object key string"},
		{"@" + filepath.Join(dir, "missing.json"), "read context: open " + filepath.Join(dir, "missing.json") + ": no such file or directory"},
	}
	for _, tc := range tests {
		res := run(t, url, "flags", "eval", "new-checkout", "--context", tc.context)
		if res.code != 2 || !strings.HasPrefix(res.stderr, "error: invalid argument "+strconv.Quote(tc.context)+` for "--context" flag: `) ||
			!strings.Contains(strings.SplitN(res.stderr, "\n", 2)[0], tc.want) {
			t.Errorf("%s: exit %d, stderr %q", tc.context, res.code, res.stderr)
		}
	}
	if len(f.calls) != 0 {
		t.Errorf("requests sent: %v", f.calls)
	}
}
