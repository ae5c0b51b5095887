package spec

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func TestParsePeriod(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		out  string
	}{
		{"30d", 30 * Day, "30d"},
		{"1d12h", 36 * time.Hour, "1d12h"},
		{"36h", 36 * time.Hour, "1d12h"},
		{"90m", 90 * time.Minute, "1h30m"},
		{"0d", 0, "0s"},
		{"never", never, "never"},
	}
	for _, tc := range tests {
		p, err := ParsePeriod(tc.in)
		if err != nil || p.Duration != tc.want || p.String() != tc.out {
			t.Errorf("ParsePeriod(%q) = %v (%s), %v; want %v (%s)", tc.in, p.Duration, p, err, tc.want, tc.out)
		}
	}
	for _, bad := range []string{"", "30", "d", "1.5d", "-1d", "1d-1h", "99999999d", "forever"} {
		if p, err := ParsePeriod(bad); err == nil {
			t.Errorf("ParsePeriod(%q) = %v, want an error", bad, p)
		}
	}
}

func TestFlagJSONRoundTrip(t *testing.T) {
	app := mustParse(t, flagSpec)
	app.Flags["sizes"] = &Flag{Class: ClassExperiment, Type: TypeObject, Default: "s",
		Variants: map[string]FlagValue{"s": {map[string]any{"w": int64(1), "h": 1.5, "tags": []any{"a"}}}}}
	app.ApplyDefaults()
	b, err := json.Marshal(app.Flags)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]*Flag
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, app.Flags) {
		t.Errorf("round trip:\n%s\ngot:\n%s", b, mustJSON(t, back))
	}
	if err := ValidateFlags(back, app.Segments, Options{}); err != nil {
		t.Errorf("round-tripped flags: %v", err)
	}
}

func TestFlagCloneIsDeep(t *testing.T) {
	app := mustParse(t, flagSpec)
	c := app.Clone()
	f := c.Flags["new-checkout"]
	f.Rollout["on"] = 50
	f.Rules[0].Serve = "off"
	*f.Enabled = false
	f.Variants["on"] = FlagValue{false}
	c.Segments["beta-testers"].If = "false"
	orig := mustParse(t, flagSpec)
	if !reflect.DeepEqual(app.Flags, orig.Flags) || !reflect.DeepEqual(app.Segments, orig.Segments) {
		t.Errorf("changing the clone changed the original:\n%s", mustJSON(t, app.Flags))
	}
}

func TestDiffFlags(t *testing.T) {
	old := mustParse(t, flagSpec)
	newer := old.Clone()
	f := newer.Flags["new-checkout"]
	f.Rollout = map[string]float64{"on": 50, "off": 50}
	f.Rules = f.Rules[:1]
	f.Enabled = nil // the same effective value as true
	newer.Flags["other"] = &Flag{Class: ClassRelease, Type: TypeBoolean, Default: "off"}
	got := DiffFlags(old.Flags, newer.Flags)
	want := ChangeSet{
		Added: []string{"other"},
		Changed: []ServiceChange{{Name: "new-checkout", Fields: []FieldChange{
			{"rules[1].segment", "beta-testers", noneValue},
			{"rules[1].serve", "on", noneValue},
			{"rollout.off", "75", "50"},
			{"rollout.on", "25", "50"},
		}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DiffFlags:\n%s\nwant:\n%s", got, want)
	}
	seg := DiffSegments(old.Segments, map[string]*Segment{"beta-testers": {If: "ctx.beta"}})
	if len(seg.Changed) != 1 || seg.Changed[0].Fields[0] != (FieldChange{"if", `"ctx.email.endsWith(\"@shop.example\")"`, "ctx.beta"}) {
		t.Errorf("DiffSegments = %+v", seg)
	}
}

func TestFlagTypeConvert(t *testing.T) {
	tests := []struct {
		t    FlagType
		in   any
		want any
		ok   bool
	}{
		{TypeBoolean, true, true, true},
		{TypeBoolean, "true", nil, false},
		{TypeString, "x", "x", true},
		{TypeString, int64(1), nil, false},
		{TypeInteger, int64(3), int64(3), true},
		{TypeInteger, 3.0, int64(3), true},
		{TypeInteger, 3.5, nil, false},
		{TypeInteger, 1e300, nil, false},
		{TypeFloat, int64(3), 3.0, true},
		{TypeFloat, 2.5, 2.5, true},
		{TypeFloat, "2.5", nil, false},
		{TypeObject, map[string]any{"a": int64(1)}, map[string]any{"a": int64(1)}, true},
		{TypeObject, []any{1}, nil, false},
		{FlagType("list"), []any{1}, nil, false},
	}
	for _, tc := range tests {
		got, err := tc.t.Convert(tc.in)
		if (err == nil) != tc.ok || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s.Convert(%#v) = %#v, %v; want %#v (ok %v)", tc.t, tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestThousandths(t *testing.T) {
	for in, want := range map[float64]int64{0: 0, 25: 25000, 0.5: 500, 12.345: 12345, 100: 100000, 33.333: 33333} {
		if got, ok := Thousandths(in); !ok || got != want {
			t.Errorf("Thousandths(%g) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, bad := range []float64{-1, 100.001, 0.0001, 33.3333} {
		if got, ok := Thousandths(bad); ok {
			t.Errorf("Thousandths(%g) = %d, want not ok", bad, got)
		}
	}
}
