package mirror

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// order is an answer of an orders service: at and requestId change on
// every answer (noise), price is the real content.
func order(id, n int, price string) Response {
	return answer(fmt.Sprintf(`{"id":%d,"at":"2025-01-01T00:00:%02dZ","requestId":"r%d","price":%s}`, id, n%60, n, price))
}

func mustTally(t *testing.T, o Options) *Tally {
	t.Helper()
	tl, err := NewTally(o)
	if err != nil {
		t.Fatal(err)
	}
	return tl
}

func field(t *testing.T, r RouteReport, name string) FieldReport {
	t.Helper()
	for _, f := range r.Fields {
		if f.Field == name {
			return f
		}
	}
	t.Fatalf("route %s has no field %s: %+v", r.Route, name, r.Fields)
	return FieldReport{}
}

func TestTallyCancelsNoiseAndReportsRealChanges(t *testing.T) {
	tl := mustTally(t, Options{Headers: []string{"Content-Type"}})
	for i := range 200 {
		price := "10"
		if i%4 == 0 {
			price = "12" // the candidate's bug: a quarter of the orders cost more
		}
		tl.Record(Exchange{Method: "GET", Path: fmt.Sprintf("/orders/%d", i),
			Primary: order(i, 3*i, "10"), Secondary: order(i, 3*i+1, "10"), Candidate: order(i, 3*i+2, price)})
	}
	rep := tl.Report()
	if rep.Compared != 200 || rep.Mismatched != 50 || rep.MismatchRate != 0.25 || len(rep.Routes) != 1 {
		t.Fatalf("report: compared %d, mismatched %d (%v), %d routes; want 200, 50 (0.25), 1",
			rep.Compared, rep.Mismatched, rep.MismatchRate, len(rep.Routes))
	}
	r := rep.Routes[0]
	if r.Route != "GET /orders/{id}" || r.NoiseSamples != 200 {
		t.Fatalf("route %q with %d noise samples", r.Route, r.NoiseSamples)
	}
	for _, noisy := range []string{"$.at", "$.requestId"} {
		if f := field(t, r, noisy); f.Mismatch || f.Rate != 1 || f.NoiseRate != 1 {
			t.Errorf("%s: %+v, want noise (rate 1, noise rate 1, no mismatch)", noisy, f)
		}
	}
	price := field(t, r, "$.price")
	if !price.Mismatch || price.Differences != 50 || price.Noise != 0 || len(price.Samples) != MaxSamples {
		t.Fatalf("$.price: %+v, want a mismatch in 50 requests with %d samples", price, MaxSamples)
	}
	if s := price.Samples[0]; s != (Sample{"GET", "/orders/0", "$.price", "10", "12"}) {
		t.Errorf("sample %+v", s)
	}
	if r.Fields[0].Field != "$.price" {
		t.Errorf("fields %v: mismatches must come first", r.Fields)
	}
}

func TestTallyOnlyNoiseIsNoMismatch(t *testing.T) {
	tl := mustTally(t, Options{})
	for i := range 100 {
		tl.Record(Exchange{Method: "GET", Path: "/orders/7", Primary: order(7, i, "1"), Secondary: order(7, i+1, "1"), Candidate: order(7, i+2, "1")})
	}
	if rep := tl.Report(); rep.Compared != 100 || rep.Mismatched != 0 {
		t.Fatalf("report %+v: noise alone must not mismatch", rep)
	}
}

func TestTallyIgnoredPathsAreNotCounted(t *testing.T) {
	tl := mustTally(t, Options{IgnoreJSONPaths: []string{"$.at", "$.requestId"}})
	tl.Record(Exchange{Method: "GET", Path: "/o", Primary: order(1, 1, "1"), Secondary: order(1, 2, "1"), Candidate: order(1, 3, "1")})
	if rep := tl.Report(); len(rep.Routes[0].Fields) != 0 {
		t.Fatalf("fields %+v, want none", rep.Routes[0].Fields)
	}
}

func TestTallyFieldsCountOncePerRequestByPattern(t *testing.T) {
	tl := mustTally(t, Options{})
	p := answer(`{"items":[{"price":1},{"price":2}]}`)
	c := answer(`{"items":[{"price":3},{"price":4}]}`)
	tl.Record(Exchange{Method: "GET", Path: "/cart", Primary: p, Secondary: p, Candidate: c})
	f := field(t, tl.Report().Routes[0], "$.items[*].price")
	if f.Differences != 1 || len(f.Samples) != 1 || f.Samples[0].Field != "$.items[0].price" {
		t.Fatalf("field %+v, want one difference sampled at $.items[0].price", f)
	}
}

func TestTallyWithoutSecondaryHasNoNoise(t *testing.T) {
	tl := mustTally(t, Options{})
	for i := range 10 {
		tl.Record(Exchange{Method: "GET", Path: "/", Primary: order(1, i, "1"), Secondary: Response{Error: "timeout"}, Candidate: order(1, i+1, "1")})
	}
	r := tl.Report().Routes[0]
	if r.NoiseSamples != 0 || !field(t, r, "$.at").Mismatch {
		t.Fatalf("route %+v: with no secondary answer nothing is known to be noise", r)
	}
}

func TestTallyCandidateFailures(t *testing.T) {
	tl := mustTally(t, Options{})
	tl.Record(Exchange{Method: "GET", Path: "/", Primary: answer(`1`), Secondary: answer(`1`), Candidate: Response{Error: "timeout"}})
	r := tl.Report().Routes[0]
	if f := field(t, r, "status"); !f.Mismatch || f.Samples[0].Candidate != "no answer: timeout" {
		t.Fatalf("status %+v", f)
	}
}

func TestTallyPartlyNoisyField(t *testing.T) {
	// cache says hit or miss: stable disagrees with itself half the time.
	tests := []struct {
		name      string
		candidate func(i int) string
		mismatch  bool
	}{
		{"as noisy as stable", func(i int) string { return []string{"hit", "miss"}[i/2%2] }, false},
		{"always different", func(int) string { return "stale" }, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tl := mustTally(t, Options{})
			for i := range 400 {
				p := answer(`{"cache":"hit"}`)
				s := answer(`{"cache":"` + []string{"hit", "miss"}[i%2] + `"}`)
				tl.Record(Exchange{Method: "GET", Path: "/", Primary: p, Secondary: s, Candidate: answer(`{"cache":"` + tc.candidate(i) + `"}`)})
			}
			if f := field(t, tl.Report().Routes[0], "$.cache"); f.Mismatch != tc.mismatch {
				t.Fatalf("$.cache %+v, want mismatch %v", f, tc.mismatch)
			}
		})
	}
}

func TestMismatchRule(t *testing.T) {
	tests := []struct {
		rate, noise float64
		want        bool
	}{
		{0, 0, false},
		{0.01, 0, false}, // within the margin
		{0.02, 0, true},
		{1, 1, false},     // a timestamp
		{0.5, 0.5, false}, // as noisy as stable
		{0.75, 0.5, false},
		{0.77, 0.5, true},
		{1, 0.6, true},
		{0.1, 0.07, false},
	}
	for _, tc := range tests {
		if got := Mismatch(tc.rate, tc.noise); got != tc.want {
			t.Errorf("Mismatch(%v, %v) = %v, want %v", tc.rate, tc.noise, got, tc.want)
		}
	}
}

func TestTallyIsBounded(t *testing.T) {
	tl := mustTally(t, Options{})
	p := answer(`{}`)
	for i := range MaxRoutes + 10 {
		tl.Record(Exchange{Method: "GET", Path: fmt.Sprintf("/r%d", i), Primary: p, Secondary: p, Candidate: p})
	}
	rep := tl.Report()
	if len(rep.Routes) != MaxRoutes+1 || rep.Compared != MaxRoutes+10 {
		t.Fatalf("%d routes and %d compared, want %d and %d", len(rep.Routes), rep.Compared, MaxRoutes+1, MaxRoutes+10)
	}
	other := 0
	for _, r := range rep.Routes {
		if r.Route == OtherRoutes {
			other = r.Compared
		}
	}
	if other != 10 {
		t.Errorf("%s has %d requests, want 10", OtherRoutes, other)
	}

	tl = mustTally(t, Options{})
	var keys []string
	for i := range MaxFields + 5 {
		keys = append(keys, fmt.Sprintf(`"k%d":%d`, i, i))
	}
	tl.Record(Exchange{Method: "GET", Path: "/", Primary: p, Secondary: p, Candidate: answer("{" + strings.Join(keys, ",") + "}")})
	r := tl.Report().Routes[0]
	if len(r.Fields) != MaxFields+1 || field(t, r, OtherFields).Differences != 1 || r.Mismatched != 1 {
		t.Fatalf("%d fields (mismatched %d), want %d with %s", len(r.Fields), r.Mismatched, MaxFields+1, OtherFields)
	}
}

func TestTallyCountsPastTheSetLimit(t *testing.T) {
	// 10 fields give 1023 sets of differing fields: more than maxSets.
	// Past the limit a request is judged by the rates known when it is
	// recorded: here every field is established as a mismatch first.
	tl := mustTally(t, Options{})
	p := answer(`{}`)
	n := 0
	for mask := 1; mask < 1<<10; mask++ {
		if mask == 1 {
			for range 20 {
				tl.Record(Exchange{Method: "GET", Path: "/", Primary: p, Secondary: p,
					Candidate: answer(`{"f0":1,"f1":1,"f2":1,"f3":1,"f4":1,"f5":1,"f6":1,"f7":1,"f8":1,"f9":1}`)})
				n++
			}
		}
		var kv []string
		for b := range 10 {
			if mask&(1<<b) != 0 {
				kv = append(kv, fmt.Sprintf(`"f%d":1`, b))
			}
		}
		tl.Record(Exchange{Method: "GET", Path: "/", Primary: p, Secondary: p, Candidate: answer("{" + strings.Join(kv, ",") + "}")})
		n++
	}
	if rep := tl.Report(); rep.Mismatched != n {
		t.Fatalf("mismatched %d of %d: every request differs in a field stable never does", rep.Mismatched, n)
	}
}

func TestTallyConcurrentRecords(t *testing.T) {
	tl := mustTally(t, Options{})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				tl.Record(Exchange{Method: "GET", Path: "/orders/1", Primary: order(1, i, "1"), Secondary: order(1, i, "1"), Candidate: order(1, i, "2")})
				if i%10 == 0 {
					tl.Drop()
					_ = tl.Report()
				}
			}
			_ = g
		})
	}
	wg.Wait()
	if rep := tl.Report(); rep.Compared != 400 || rep.Mismatched != 400 || rep.Dropped != 40 {
		t.Fatalf("report %+v", rep)
	}
}

func TestReportSharesNothingAndRoundTrips(t *testing.T) {
	tl := mustTally(t, Options{})
	tl.Record(Exchange{Method: "GET", Path: "/", Primary: answer(`{"a":1}`), Secondary: answer(`{"a":1}`), Candidate: answer(`{"a":2}`)})
	rep := tl.Report()
	rep.Routes[0].Fields[0].Samples[0].Primary = "changed"
	if tl.Report().Routes[0].Fields[0].Samples[0].Primary != "1" {
		t.Fatal("changing a report changed the tally")
	}
	rep = tl.Report()
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, rep) {
		t.Fatalf("round trip %s: %+v, %v", b, back, err)
	}
	if !strings.Contains(string(b), `"field":"$.a","differences":1,"rate":1,"noise":0,"noiseRate":0,"mismatch":true`) {
		t.Errorf("JSON %s", b)
	}
}

func TestJudge(t *testing.T) {
	rep := Report{Compared: 200, Mismatched: 3, MismatchRate: 0.015, Routes: []RouteReport{{Route: "GET /orders/{id}",
		Fields: []FieldReport{{Field: "$.at", Differences: 200, NoiseRate: 1}, {Field: "$.total", Differences: 3, Mismatch: true}}}}}
	tests := []struct {
		name    string
		rep     Report
		max     float64
		min     int
		outcome Outcome
		reason  string
	}{
		{"too few", Report{Compared: 12, Dropped: 3}, 0.01, 100, Waiting, "12 of 100 requests compared so far (3 dropped: too many copies in flight)"},
		{"none at all", Report{}, 0.01, 0, Waiting, "0 of 0 requests compared so far"},
		{"above", rep, 0.01, 100, Failed, "1.5% of 200 compared requests differ beyond noise (3), above the limit 1%; most: GET /orders/{id} $.total (3 times, noise 0%)"},
		{"within", rep, 0.02, 100, Passed, "1.5% of 200 compared requests differ beyond noise (3), within the limit 2%"},
		{"clean", Report{Compared: 100}, 0.01, 100, Passed, "0% of 100 compared requests differ beyond noise (0), within the limit 1%"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := tc.rep.Judge(tc.max, tc.min)
			if v.Outcome != tc.outcome || v.Reason != tc.reason {
				t.Errorf("Judge = %v %q\n want %v %q", v.Outcome, v.Reason, tc.outcome, tc.reason)
			}
		})
	}
}

func TestOutcomeText(t *testing.T) {
	for _, o := range []Outcome{Waiting, Passed, Failed} {
		b, _ := o.MarshalText()
		var back Outcome
		if err := back.UnmarshalText(b); err != nil || back != o {
			t.Errorf("%v: %s -> %v, %v", o, b, back, err)
		}
	}
	var o Outcome
	if err := o.UnmarshalText([]byte("passd")); err == nil {
		t.Error("unknown outcome accepted")
	}
	if Outcome(9).String() != "Outcome(9)" {
		t.Error(Outcome(9).String())
	}
}

func BenchmarkTallyRecord(b *testing.B) {
	tl, _ := NewTally(Options{Headers: []string{"Content-Type"}})
	x := Exchange{Method: "GET", Path: "/orders/1", Primary: order(1, 1, "1"), Secondary: order(1, 2, "1"), Candidate: order(1, 3, "2")}
	for b.Loop() {
		tl.Record(x)
	}
}
