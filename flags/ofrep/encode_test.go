package ofrep

import (
	"encoding/json"
	"log/slog"
	"math"
	"testing"

	"github.com/slipway-dev/slipway/flags"
)

// successShape is evaluationSuccess as encoding/json writes it: the
// reference for appendSuccess.
type successShape struct {
	Key      string         `json:"key"`
	Value    any            `json:"value,omitempty"`
	Reason   string         `json:"reason,omitempty"`
	Variant  string         `json:"variant,omitempty"`
	Metadata map[string]any `json:"metadata,omitempty"`
}

func TestAppendSuccessMatchesEncodingJSON(t *testing.T) {
	values := []any{
		true, false, "", "plain", `quote " and \ backslash`, "<b>&amp;</b>", "tab\tnew\nline\x01",
		"héllo ✓", "line\u2028sep", "bad utf8 \xff", int64(0), int64(-42), int64(math.MaxInt64), 7,
		0.0, 3.25, -1.5, 1e20, 1e21, 123456789e15, 1e-6, 1e-7, 2.5e-10, math.SmallestNonzeroFloat64, math.MaxFloat64,
		[]any{"a", 1.0, nil, []any{true}}, []any{}, []any(nil), map[string]any{"z": 1.0, "a": []any{}, "m": map[string]any{"k": "v"}},
		map[string]any{}, []string{"typed"}, struct{ A int }{1}, nil,
	}
	for _, v := range values {
		for _, meta := range []map[string]any{nil, {"owner": "team", "class": "release", "n": 3.0, "on": true, "é": "<"}} {
			r := flags.Result{Key: "k", Value: v, Reason: flags.ReasonSplit, Variant: "v<1>", Metadata: meta}
			got, err := appendSuccess(nil, "flag/ké\"y", &r)
			if err != nil {
				t.Fatalf("%#v: %v", v, err)
			}
			want, err := json.Marshal(successShape{"flag/ké\"y", v, string(r.Reason), r.Variant, meta})
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Errorf("value %#v:\n got %s\nwant %s", v, got, want)
			}
		}
	}
}

func TestAppendSuccessRefusesNonJSON(t *testing.T) {
	for _, v := range []any{math.NaN(), math.Inf(1), map[string]any{"x": math.Inf(-1)}, make(chan int)} {
		r := flags.Result{Value: v}
		if _, err := appendSuccess(nil, "k", &r); err == nil {
			t.Errorf("%#v: no error", v)
		}
	}
}

func TestAppendBulkSkipsOnlyTheBadFlag(t *testing.T) {
	cfg := Default()
	cfg.Logger = slog.New(slog.DiscardHandler)
	h := &Handler{cfg: cfg, streams: eventStreams("")}
	b := h.appendBulk(nil, []flags.Result{
		{Key: "a", Value: true},
		{Key: "nan", Value: math.NaN()},
		{Key: "c", Reason: flags.ReasonError, ErrorCode: flags.ErrParse},
	})
	const want = `{"flags":[{"key":"a","value":true},{"key":"nan","errorCode":"GENERAL","errorDetails":"the flag's value cannot be encoded as JSON"},{"key":"c","errorCode":"PARSE_ERROR"}],"eventStreams":[{"type":"sse","endpoint":{"requestUri":"/ofrep/v1/events"}}]}` + "\n"
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	if !json.Valid(b) {
		t.Errorf("not JSON")
	}
}
