package flags

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/spec"
)

// vector is one row of docs/flags-bucketing.md's test vectors.
type vector struct {
	key, value string
	bucket     int
	rollout    map[string]float64
	variant    string
}

// docVectors reads the test vectors from the published document, so
// that the document and the code cannot drift apart.
func docVectors(t *testing.T) []vector {
	t.Helper()
	doc, err := os.ReadFile("../docs/flags-bucketing.md")
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	for _, line := range strings.Split(string(doc), "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		if len(cells) != 5 {
			t.Fatalf("vector row %q: want 5 cells", line)
		}
		b, err := strconv.Atoi(cells[2])
		if err != nil {
			t.Fatalf("vector row %q: %v", line, err)
		}
		vs = append(vs, vector{strings.Trim(cells[0], "`"), strings.Trim(cells[1], "`"), b,
			parseRollout(t, strings.Trim(cells[3], "`{}")), cells[4]})
	}
	return vs
}

func parseRollout(t *testing.T, s string) map[string]float64 {
	m := map[string]float64{}
	for _, part := range strings.Split(s, ", ") {
		name, p, _ := strings.Cut(part, ": ")
		f, err := strconv.ParseFloat(p, 64)
		if err != nil {
			t.Fatalf("rollout %q: %v", s, err)
		}
		m[name] = f
	}
	return m
}

func TestBucketVectors(t *testing.T) {
	vs := docVectors(t)
	if len(vs) < 20 {
		t.Fatalf("%d vectors in the document, want at least 20", len(vs))
	}
	for _, v := range vs {
		if got := Bucket(v.key, v.value); got != v.bucket {
			t.Errorf("Bucket(%q, %q) = %d, want %d", v.key, v.value, got, v.bucket)
		}
		if got := pickIn(v.rollout, v.bucket); got != v.variant {
			t.Errorf("%s/%s bucket %d in %v: variant %s, want %s", v.key, v.value, v.bucket, v.rollout, got, v.variant)
		}
		// And through the whole evaluation.
		f := &spec.Flag{Class: spec.ClassExperiment, Type: spec.TypeString, Default: v.variant, Rollout: v.rollout,
			Variants: map[string]spec.FlagValue{}}
		for name := range v.rollout {
			f.Variants[name] = spec.FlagValue{Value: name}
		}
		s, err := Compile(map[string]*spec.Flag{v.key: f}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if r := s.Evaluate(v.key, Context{TargetingKey: v.value}); r.Variant != v.variant || r.Reason != ReasonSplit {
			t.Errorf("Evaluate(%s, %s) = %+v, want %s", v.key, v.value, r, v.variant)
		}
	}
}

// pickIn returns the variant of bucket b in a rollout, as the engine cuts it.
func pickIn(rollout map[string]float64, b int) string {
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range rollout {
			if !yield(n) {
				return
			}
		}
	})
	shares := map[string]int64{}
	for n, p := range rollout {
		shares[n], _ = spec.Thousandths(p)
	}
	return names[newSplit(names, shares).pick(b)]
}

func TestBucketIsTheDocumentedHash(t *testing.T) {
	long := strings.Repeat("long-subject-", 40) // past the stack buffer
	for _, in := range [][2]string{{"new-checkout", "user-1"}, {"k", long}, {strings.Repeat("k", 128), "v"}} {
		sum := sha256.Sum256([]byte(in[0] + "/" + in[1]))
		want := int(binary.BigEndian.Uint64(sum[:8]) % Buckets)
		if got := Bucket(in[0], in[1]); got != want {
			t.Errorf("Bucket(%.20q, %.20q) = %d, want %d", in[0], in[1], got, want)
		}
	}
}

func TestStickyValue(t *testing.T) {
	tests := []struct {
		attr any
		want string
		ok   bool
	}{
		{"user-1", "user-1", true},
		{"", "", false},
		{12345.0, "12345", true},
		{-7.0, "-7", true},
		{float64(1 << 53), "9007199254740992", true},
		{float64(1<<53) * 2, "", false},
		{1.5, "", false},
		{math.NaN(), "", false},
		{42, "42", true},
		{int64(-1), "-1", true},
		{true, "", false},
		{nil, "", false},
		{[]any{"a"}, "", false},
	}
	for _, tc := range tests {
		got, ok := stickyValue(Context{Attributes: map[string]any{"id": tc.attr}}, "id", nil)
		if string(got) != tc.want || ok != tc.ok {
			t.Errorf("stickyValue(%#v) = %q, %v; want %q, %v", tc.attr, got, ok, tc.want, tc.ok)
		}
	}
	if _, ok := stickyValue(Context{}, "id", nil); ok {
		t.Error("a missing attribute is a value")
	}
	got, _ := stickyValue(Context{TargetingKey: "tk", Attributes: map[string]any{"targetingKey": "attr"}}, "targetingKey", nil)
	if string(got) != "tk" {
		t.Errorf("targetingKey = %q, want the context's TargetingKey", got)
	}
}

// TestTwoVariantsOnlyAddOrRemoveTheLatest is the property of
// docs/flags-bucketing.md: with two variants, raising one's share only
// adds subjects to it, and lowering it removes the most recently added
// first, over random histories of shares.
func TestTwoVariantsOnlyAddOrRemoveTheLatest(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	subjects := make([]string, 2000)
	for i := range subjects {
		subjects[i] = "user-" + strconv.Itoa(rng.IntN(1_000_000_000))
	}
	names := []string{"off", "on"}
	for _, key := range []string{"new-checkout", "b", "pricing.v2"} {
		var added []string // subjects on "on", in the order they were added
		on := map[string]bool{}
		share := int64(0)
		for range 200 {
			next := int64(rng.IntN(Buckets + 1))
			s := newSplit(names, map[string]int64{"on": next, "off": Buckets - next})
			now := map[string]bool{}
			for _, u := range subjects {
				if !s.empty() && names[s.pick(Bucket(key, u))] == "on" {
					now[u] = true
				}
			}
			switch {
			case next >= share: // raised: everyone on stays on; newcomers join at the end
				for _, u := range added {
					if !now[u] {
						t.Fatalf("%s: raising %d -> %d removed %s", key, share, next, u)
					}
				}
				var joined []string
				for _, u := range subjects {
					if now[u] && !on[u] {
						joined = append(joined, u)
					}
				}
				// Within one raise, the order of joining is by threshold.
				slices.SortFunc(joined, func(a, b string) int { return Bucket(key, b) - Bucket(key, a) })
				added = append(added, joined...)
			default: // lowered: exactly the latest added leave
				kept := 0
				for kept < len(added) && now[added[kept]] {
					kept++
				}
				for _, u := range added[kept:] {
					if now[u] {
						t.Fatalf("%s: lowering %d -> %d removed %s before a later one", key, share, next, u)
					}
				}
				added = added[:kept]
			}
			if len(added) != len(now) {
				t.Fatalf("%s: %d on after %d -> %d, want %d", key, len(now), share, next, len(added))
			}
			on, share = now, next
		}
	}
}

func TestBucketsAreUniform(t *testing.T) {
	const n = 200_000
	counts := make([]int, 10) // tenths of the bucket range
	for i := range n {
		counts[Bucket("uniform", "user-"+strconv.Itoa(i))/(Buckets/10)]++
	}
	for i, c := range counts {
		if math.Abs(float64(c)-n/10) > 0.03*n/10 { // about 14 standard deviations: not luck
			t.Errorf("tenth %d has %d subjects, want about %d", i, c, n/10)
		}
	}
}

func TestSplitPick(t *testing.T) {
	names := []string{"a", "b", "c", "d"}
	s := newSplit(names, map[string]int64{"a": 25_000, "b": 0, "c": 74_999, "d": 1})
	for _, tc := range []struct{ bucket, variant int }{{0, 0}, {24_999, 0}, {25_000, 2}, {99_998, 2}, {99_999, 3}} {
		if got := s.pick(tc.bucket); got != tc.variant {
			t.Errorf("pick(%d) = %s, want %s", tc.bucket, names[got], names[tc.variant])
		}
	}
	if _, ok := s.only(); ok {
		t.Error("only() with three variants")
	}
	if v, ok := newSplit(names, map[string]int64{"b": Buckets}).only(); !ok || v != 1 {
		t.Errorf("only() = %d, %v; want b", v, ok)
	}
}
