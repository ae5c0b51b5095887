package spec

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/mirror"
)

// parallelRunSpec is the example from issue 4, with a route; its
// strategy starts on line 6.
const parallelRunSpec = `app: shop
services:
  invoice:
    run: [./invoice]
    route: {path: /invoice}
    strategy:
      parallelRun: {mirrorPercent: 100, compare: {ignoreHeaders: [Date], ignoreJsonPaths: [$.requestId]}, maxMismatchRate: 0.01, duration: 10m}
`

func TestParallelRunExample(t *testing.T) {
	s := mustParse(t, parallelRunSpec).Services["invoice"]
	if s.Strategy.Rolling != nil || s.Strategy.Canary != nil || s.Strategy.BlueGreen != nil {
		t.Fatalf("strategy %+v: only parallelRun must be set", s.Strategy)
	}
	want := &ParallelRun{
		MirrorPercent: ptr(100),
		Compare: ParallelCompare{IgnoreHeaders: []string{"Date"}, Headers: []string{"Content-Type"},
			IgnoreJSONPaths: []string{"$.requestId"}},
		MaxMismatchRate:  0.01,
		Duration:         Duration{10 * time.Minute},
		MinRequests:      100,
		ProgressDeadline: Duration{DefaultProgressDeadline},
	}
	if got := s.Strategy.ParallelRun; !reflect.DeepEqual(got, want) {
		t.Errorf("parallelRun:\n%s\nwant:\n%s", mustJSON(t, got), mustJSON(t, want))
	}
	if o := s.Strategy.ParallelRun.Compare.Options(); !reflect.DeepEqual(o, mirror.Options{
		Headers: []string{"Content-Type"}, IgnoreHeaders: []string{"Date"}, IgnoreJSONPaths: []string{"$.requestId"}}) {
		t.Errorf("mirror options %+v", o)
	}
}

func TestParallelRunDefaults(t *testing.T) {
	const src = web + "    route: {path: /web}\n    strategy:\n      parallelRun: {}\n"
	tests := []struct {
		name string
		src  string
		want ParallelRun
	}{
		{"all defaults", src, ParallelRun{MirrorPercent: ptr(100), Compare: ParallelCompare{Headers: []string{"Content-Type"}},
			MaxMismatchRate: 0.01, Duration: Duration{10 * time.Minute}, MinRequests: 100, ProgressDeadline: Duration{2 * time.Minute}}},
		{"written values stay", strings.Replace(src, "{}", "{mirrorPercent: 0, maxMismatchRate: 0.2, duration: 1m, minRequests: 5, unsafe: true, progressDeadline: 30s, compare: {headers: ['*']}}", 1),
			ParallelRun{MirrorPercent: ptr(0), Compare: ParallelCompare{Headers: []string{"*"}}, MaxMismatchRate: 0.2,
				Duration: Duration{time.Minute}, MinRequests: 5, Unsafe: true, ProgressDeadline: Duration{30 * time.Second}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := mustParse(t, tc.src).Services["web"]
			if got := s.Strategy.ParallelRun; !reflect.DeepEqual(*got, tc.want) {
				t.Errorf("got  %s\nwant %s", mustJSON(t, got), mustJSON(t, &tc.want))
			}
			if s.ProgressDeadline() != tc.want.ProgressDeadline.Duration {
				t.Errorf("ProgressDeadline() = %v", s.ProgressDeadline())
			}
			if s.Strategy.ParallelRun.Percent() != *tc.want.MirrorPercent {
				t.Errorf("Percent() = %d", s.Strategy.ParallelRun.Percent())
			}
			again := s.Clone()
			again.ApplyDefaults()
			if !Equal(s, again) || validateService(again) != nil {
				t.Error("defaults are not idempotent")
			}
		})
	}
	if (&ParallelRun{}).Percent() != DefaultMirrorPercent {
		t.Error("Percent of an undefaulted run")
	}
}

// validateService validates a service alone, as a defaulted spec that
// came back from the API's JSON.
func validateService(s *Service) error {
	return (&App{Name: "a", Services: map[string]*Service{s.Name: s}}).Validate()
}

func TestParallelRunProblems(t *testing.T) {
	const base = web + "    route: {path: /web}\n    strategy:\n      parallelRun:\n"
	const p = "services.web.strategy.parallelRun"
	tests := []struct {
		name, src string
		line      int
		path, msg string
	}{
		{"two strategies", web + "    route: {path: /w}\n    strategy:\n      canary: {steps: [{setWeight: 1}]}\n      parallelRun: {}\n", 6, "services.web.strategy",
			"set one strategy: rolling, blueGreen or canary or parallelRun, not several"},
		{"with rolling", web + "    route: {path: /w}\n    strategy:\n      rolling: {}\n      parallelRun: {}\n", 6, "services.web.strategy", "set one strategy"},
		{"no route", web + "    strategy:\n      parallelRun: {}\n", 6, p, "needs a route: the router copies the service's requests to the candidate; add route: {path: /web}"},
		{"percent above 100", base + "        mirrorPercent: 120\n", 8, p + ".mirrorPercent", "must be 0..100, got 120"},
		{"percent negative", base + "        mirrorPercent: -5\n", 8, p + ".mirrorPercent", "must be 0..100, got -5"},
		{"percent not a number", base + "        mirrorPercent: all\n", 8, p + ".mirrorPercent", `must be an integer; got the string "all"`},
		{"rate above 1", base + "        maxMismatchRate: 1.5\n", 8, p + ".maxMismatchRate", "must be in (0, 1], like 0.01 for 1% of compared requests; got 1.5"},
		{"rate negative", base + "        maxMismatchRate: -0.1\n", 8, p + ".maxMismatchRate", "must be in (0, 1]"},
		{"rate zero", base + "        maxMismatchRate: 0\n", 8, p + ".maxMismatchRate", "got 0"},
		{"rate percent", base + "        maxMismatchRate: 1%\n", 8, p + ".maxMismatchRate", `must be a number; got the string "1%"`},
		{"duration zero", base + "        duration: 0s\n", 8, p + ".duration", "must be > 0, like 1s; got 0s"},
		{"duration negative", base + "        duration: -1m\n", 8, p + ".duration", "must be > 0"},
		{"duration not a duration", base + "        duration: 10\n", 8, p + ".duration", "duration"},
		{"min requests zero", base + "        minRequests: 0\n", 8, p + ".minRequests", "must be >= 1, got 0"},
		{"negative deadline", base + "        progressDeadline: -1s\n", 8, p + ".progressDeadline", "must be >= 0"},
		{"unsafe not a bool", base + "        unsafe: sometimes\n", 8, p + ".unsafe", "must be true or false"},
		{"unknown field", base + "        mirrorPercentage: 50\n", 8, p + ".mirrorPercentage", `unknown field "mirrorPercentage" (did you mean "mirrorPercent"?); valid: mirrorPercent, compare,`},
		{"unknown compare field", base + "        compare: {ignoreJsonPath: [$.a]}\n", 8, p + ".compare.ignoreJsonPath", `(did you mean "ignoreJsonPaths"?)`},
		{"bad header", base + "        compare: {headers: [Content-Type, \"X Trace\"]}\n", 8, p + ".compare.headers[1]", `invalid header name "X Trace"`},
		{"bad ignored header", base + "        compare:\n          ignoreHeaders: [\"Date:\"]\n", 9, p + ".compare.ignoreHeaders[0]", `invalid header name "Date:"`},
		{"path without root", base + "        compare:\n          ignoreJsonPaths:\n            - $.ok\n            - requestId\n", 11, p + ".compare.ignoreJsonPaths[1]",
			`invalid path "requestId": must start with $, like $.requestId or $.items[*].id`},
		{"bad index", base + "        compare: {ignoreJsonPaths: [\"$.items[x].id\"]}\n", 8, p + ".compare.ignoreJsonPaths[0]", "[x] must be an index"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps := problemsOf(t, tc.src)
			for _, pr := range ps {
				if pr.Line == tc.line && pr.Path == tc.path && strings.Contains(pr.Message, tc.msg) {
					return
				}
			}
			t.Errorf("want line %d %s: ...%s...\ngot:\n%v", tc.line, tc.path, tc.msg, &ps)
		})
	}
}

func TestParallelRunErrorText(t *testing.T) {
	src := "app: shop\nservices:\n  invoice:\n    run: [./invoice]\n    route: {path: /invoice}\n    strategy:\n      parallelRun:\n" +
		strings.Repeat("        # padding\n", 6) + "        mirrorPercent: 120\n        duration: 0s\n"
	_, err := Parse("slipway.yaml", []byte(src))
	want := "slipway.yaml:14: services.invoice.strategy.parallelRun.mirrorPercent: must be 0..100, got 120\n" +
		"slipway.yaml:15: services.invoice.strategy.parallelRun.duration: must be > 0, like 1s; got 0s"
	if err == nil || err.Error() != want {
		t.Errorf("got:\n%v\nwant:\n%s", err, want)
	}
}

func TestParallelRunJSONRoundTrip(t *testing.T) {
	s := mustParse(t, parallelRunSpec).Services["invoice"]
	b := mustJSON(t, s.Strategy)
	for _, part := range []string{`"parallelRun":{`, `"mirrorPercent":100`, `"ignoreJsonPaths":["$.requestId"]`, `"duration":"10m"`, `"maxMismatchRate":0.01`} {
		if !strings.Contains(b, part) {
			t.Errorf("JSON lacks %s:\n%s", part, b)
		}
	}
	var back Strategy
	if err := json.Unmarshal([]byte(b), &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, s.Strategy) {
		t.Errorf("round trip:\n%s\nwant:\n%s", mustJSON(t, back), b)
	}
}

func TestParallelRunCloneAndDiff(t *testing.T) {
	s := mustParse(t, parallelRunSpec).Services["invoice"]
	c := s.Clone()
	*c.Strategy.ParallelRun.MirrorPercent = 50
	c.Strategy.ParallelRun.Compare.IgnoreJSONPaths[0] = "$.traceId"
	c.Strategy.ParallelRun.Compare.Headers = append(c.Strategy.ParallelRun.Compare.Headers, "Cache-Control")
	c.Strategy.ParallelRun.Unsafe = true
	if !Equal(s, mustParse(t, parallelRunSpec).Services["invoice"]) {
		t.Fatal("changing a clone changed the original")
	}
	got := DiffService(s, c)
	want := []FieldChange{
		{"strategy.parallelRun.mirrorPercent", "100", "50"},
		{"strategy.parallelRun.compare.ignoreJsonPaths[0]", "$.requestId", "$.traceId"},
		{"strategy.parallelRun.unsafe", "false", "true"},
		{"strategy.parallelRun.compare.headers[1]", "(none)", "Cache-Control"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("diff:\n%v\nwant:\n%v", got, want)
	}
	rolling := mustParse(t, web+"    route: {path: /invoice}\n").Services["web"]
	d := DiffService(rolling, s)
	if !strings.Contains(ChangeSet{Changed: []ServiceChange{{Name: "invoice", Fields: d}}}.String(),
		"strategy.parallelRun.duration: (none) -> 10m") {
		t.Errorf("rolling -> parallelRun diff: %v", d)
	}
}
