package analysis

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

// anytimeRef is testdata/anytime.json, written by testdata/gen_anytime.py
// (Python's standard library: an independent implementation).
type anytimeRef struct {
	Counts []struct {
		Name             string     `json:"name"`
		Ticks            [][4]int64 `json:"ticks"`
		Alpha, Beta      float64
		MinEffect, Floor float64
		Weight           float64
		LogE, LogPass    float64
		Lower            float64   `json:"lower"`
		Upper            jsonFloat `json:"upper"`
		EstimateV        jsonFloat `json:"estimate"`
		Verdict          string    `json:"verdict"`
	} `json:"counts"`
	Rates []struct {
		X, N                int64
		Alpha, Floor, Upper float64
	} `json:"rates"`
	Quantiles []struct {
		Name     string    `json:"name"`
		Counts   []int64   `json:"counts"`
		Upper    []float64 `json:"upper"`
		Q, Alpha float64
		N        int64     `json:"n"`
		SLo      int64     `json:"sLo"`
		SHi      int64     `json:"sHi"`
		Lo       float64   `json:"lo"`
		Hi       jsonFloat `json:"hi"`
	} `json:"quantiles"`
}

// jsonFloat reads a number or the strings "inf" and "nan".
type jsonFloat float64

func (f *jsonFloat) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"inf"`:
		*f = jsonFloat(math.Inf(1))
	case `"nan"`:
		*f = jsonFloat(math.NaN())
	default:
		var v float64
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*f = jsonFloat(v)
	}
	return nil
}

func readAnytimeRef(t *testing.T) anytimeRef {
	t.Helper()
	raw, err := os.ReadFile("testdata/anytime.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref anytimeRef
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Counts) < 8 || len(ref.Quantiles) < 7 {
		t.Fatalf("only %d count and %d quantile cases", len(ref.Counts), len(ref.Quantiles))
	}
	return ref
}

func sameFloat(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) || math.IsInf(a, 0) || math.IsInf(b, 0) {
		return a == b || (math.IsNaN(a) && math.IsNaN(b))
	}
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b))
}

func TestCountTestMatchesPython(t *testing.T) {
	for _, c := range readAnytimeRef(t).Counts {
		t.Run(c.Name, func(t *testing.T) {
			ct := NewCountTest(SequentialConfig{Alpha: c.Alpha, Beta: c.Beta, MinEffect: c.MinEffect, Floor: c.Floor, Weight: c.Weight})
			for _, tk := range c.Ticks {
				ct.Add(tk[0], tk[1], tk[2], tk[3])
			}
			s := ct.State()
			for _, f := range []struct {
				name      string
				got, want float64
			}{
				{"logE", s.LogE, c.LogE}, {"logPass", s.LogPass, c.LogPass},
				{"lower", s.Lower, c.Lower}, {"upper", s.Upper, float64(c.Upper)},
				{"estimate", s.Estimate, float64(c.EstimateV)},
			} {
				if !sameFloat(f.got, f.want) {
					t.Errorf("%s = %.17g, want %.17g", f.name, f.got, f.want)
				}
			}
			if s.Verdict.String() != c.Verdict {
				t.Errorf("verdict = %s, want %s", s.Verdict, c.Verdict)
			}
		})
	}
}

func TestQuantileBoundsMatchPython(t *testing.T) {
	for _, c := range readAnytimeRef(t).Quantiles {
		t.Run(c.Name, func(t *testing.T) {
			sLo, sHi := countInterval(c.N, c.Q, math.Log(1/c.Alpha))
			if sLo != c.SLo || sHi != c.SHi {
				t.Errorf("count interval = [%d, %d], want [%d, %d]", sLo, sHi, c.SLo, c.SHi)
			}
			lo, hi, n := QuantileBounds(c.Counts, c.Upper, c.Q, c.Alpha)
			if n != c.N || !sameFloat(lo, c.Lo) || !sameFloat(hi, float64(c.Hi)) {
				t.Errorf("bounds = [%v, %v] of %d, want [%v, %v] of %d", lo, hi, n, c.Lo, float64(c.Hi), c.N)
			}
		})
	}
}

func TestRateUpperMatchesPython(t *testing.T) {
	for _, c := range readAnytimeRef(t).Rates {
		// The script scans p in steps of 1e-6, below the bound: Go's
		// bisection lands within a step above it.
		if got := RateUpper(c.X, c.N, c.Floor, c.Alpha); got < c.Upper || got > c.Upper+1e-6 {
			t.Errorf("RateUpper(%d, %d, %v, %v) = %.9f, want %.6f (+1e-6)", c.X, c.N, c.Floor, c.Alpha, got, c.Upper)
		}
	}
}
