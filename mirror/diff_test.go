package mirror

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// answer is a 200 with a JSON content type and the given body.
func answer(body string) Response {
	return Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(body)}
}

func TestDiff(t *testing.T) {
	withHeader := func(r Response, kv ...string) Response {
		r.Header = r.Header.Clone()
		for i := 0; i+1 < len(kv); i += 2 {
			r.Header.Set(kv[i], kv[i+1])
		}
		return r
	}
	ct := Options{Headers: []string{"content-type"}}
	tests := []struct {
		name string
		a, b Response
		o    Options
		want []Difference
	}{
		{"same", answer(`{"a":1}`), answer(`{"a":1}`), ct, nil},
		{"formatting and key order do not matter", answer(`{"a":1,"b":[1,2]}`), answer("{ \"b\": [1, 2],\n \"a\": 1.0 }"), ct, nil},
		{"status", Response{Status: 200}, Response{Status: 500}, ct, []Difference{{"status", "200", "500"}}},
		{"no answer compares only the status", answer(`{"a":1}`), Response{Error: "dial tcp: connection refused"}, ct,
			[]Difference{{"status", "200", "no answer: dial tcp: connection refused"}}},
		{"both without answer", Response{}, Response{}, ct, nil},
		{"chosen header", answer(`1`), withHeader(answer(`1`), "Content-Type", "text/plain"), ct,
			[]Difference{{"header:Content-Type", "application/json", "text/plain"}}},
		{"header not chosen", withHeader(answer(`1`), "Server", "a"), withHeader(answer(`1`), "Server", "b"), ct, nil},
		{"missing header", answer(`1`), Response{Status: 200, Body: []byte(`1`)}, ct,
			[]Difference{{"header:Content-Type", "application/json", "(absent)"}}},
		{"every header but ignored and hop-by-hop", withHeader(answer(`1`), "Date", "x", "X-A", "1", "Connection", "close"),
			withHeader(answer(`1`), "Date", "y", "X-A", "2", "X-B", "3"), Options{Headers: []string{"*"}, IgnoreHeaders: []string{"date"}},
			[]Difference{{"header:X-A", "1", "2"}, {"header:X-B", "(absent)", "3"}}},
		{"ignored wins over chosen", withHeader(answer(`1`), "Date", "x"), withHeader(answer(`1`), "Date", "y"),
			Options{Headers: []string{"Date"}, IgnoreHeaders: []string{"Date"}}, nil},
		{"leaf", answer(`{"total":10,"cur":"EUR"}`), answer(`{"total":12,"cur":"EUR"}`), ct, []Difference{{"$.total", "10", "12"}}},
		{"nested array index by index", answer(`{"items":[{"price":1},{"price":2},{"price":3}]}`), answer(`{"items":[{"price":1},{"price":2},{"price":4}]}`), ct,
			[]Difference{{"$.items[2].price", "3", "4"}}},
		{"missing and extra keys", answer(`{"a":1,"b":2}`), answer(`{"b":2,"c":{"d":true}}`), ct,
			[]Difference{{"$.a", "1", "(absent)"}, {"$.c", "(absent)", `{"d":true}`}}},
		{"extra element", answer(`[1]`), answer(`[1,"<two>"]`), ct, []Difference{{"$[1]", "(absent)", `"<two>"`}}},
		{"type change", answer(`{"a":{"b":1}}`), answer(`{"a":[1]}`), ct, []Difference{{"$.a", `{"b":1}`, "[1]"}}},
		{"null against value", answer(`{"a":null}`), answer(`{"a":0}`), ct, []Difference{{"$.a", "null", "0"}}},
		{"odd key", answer(`{"a.b":1}`), answer(`{"a.b":2}`), ct, []Difference{{"$['a.b']", "1", "2"}}},
		{"ignored paths", answer(`{"requestId":"r1","items":[{"id":"x","n":1}],"meta":{"t":1}}`),
			answer(`{"requestId":"r2","items":[{"id":"y","n":2}],"meta":{"t":2,"u":3}}`),
			Options{IgnoreJSONPaths: []string{"$.requestId", "$.items[*].id", "$.meta"}},
			[]Difference{{"$.items[0].n", "1", "2"}}},
		{"ignored root", answer(`1`), answer(`2`), Options{IgnoreJSONPaths: []string{"$"}}, nil},
		{"ignored missing key", answer(`{"a":1}`), answer(`{}`), Options{IgnoreJSONPaths: []string{"$.a"}}, nil},
		{"text bodies as bytes", Response{Status: 200, Body: []byte("hello")}, Response{Status: 200, Body: []byte("hullo")}, Options{},
			[]Difference{{"body", "hello", "hullo"}}},
		{"json against text", answer(`{"a":1}`), Response{Status: 200, Body: []byte("oops"), Header: answer("").Header}, ct,
			[]Difference{{"body", `{"a":1}`, "oops"}}},
		{"trailing data is not json", answer(`{"a":1} {"a":2}`), answer(`{"a":1} {"a":3}`), ct,
			[]Difference{{"body", `{"a":1} {"a":2}`, `{"a":1} {"a":3}`}}},
		{"empty against body", Response{Status: 204}, Response{Status: 204, Body: []byte("x")}, Options{}, []Difference{{"body", "(empty)", "x"}}},
		{"truncated bodies compare their bytes", Response{Status: 200, Body: []byte(`{"a":`), Truncated: true},
			Response{Status: 200, Body: []byte(`{"a":`), Truncated: true}, Options{}, nil},
		{"binary", Response{Status: 200, Body: []byte{0xff, 0xfe, 0}}, Response{Status: 200, Body: []byte{0xff}}, Options{},
			[]Difference{{"body", "(3 bytes, binary)", "(1 bytes, binary)"}}},
		{"malformed ignored path matches nothing", answer(`{"a":1}`), answer(`{"a":2}`), Options{IgnoreJSONPaths: []string{"a"}},
			[]Difference{{"$.a", "1", "2"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Diff(tc.a, tc.b, tc.o); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Diff:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestDiffValuesAreShort(t *testing.T) {
	long := strings.Repeat("é", 200)
	d := Diff(answer(`{"a":"`+long+`"}`), answer(`{"a":"x"}`), Options{})
	if len(d) != 1 || len(d[0].Primary) > maxValue+3 || !strings.HasSuffix(d[0].Primary, "...") {
		t.Fatalf("value not truncated: %q", d)
	}
	body := []byte(strings.Repeat("ü", 100)) // cut mid-rune is still text
	if got := bodyText(body); !strings.HasSuffix(got, "...") || strings.Contains(got, "binary") {
		t.Errorf("bodyText = %q", got)
	}
}

func TestDiffIsBounded(t *testing.T) {
	a, b := make([]string, 5000), make([]string, 5000)
	for i := range a {
		a[i], b[i] = "1", "2"
	}
	d := Diff(answer("["+strings.Join(a, ",")+"]"), answer("["+strings.Join(b, ",")+"]"), Options{})
	if len(d) != maxDifferences {
		t.Fatalf("%d differences, want the first %d", len(d), maxDifferences)
	}
}

func TestOptionsCheck(t *testing.T) {
	if err := (Options{IgnoreJSONPaths: []string{"$.a", "$.b[x]"}}).Check(); err == nil || !strings.Contains(err.Error(), `"$.b[x]"`) {
		t.Errorf("Check = %v, want the bad path named", err)
	}
	if _, err := NewTally(Options{IgnoreJSONPaths: []string{"id"}}); err == nil {
		t.Error("NewTally took a malformed path")
	}
}

func BenchmarkDiff(b *testing.B) {
	var items []string
	for i := range 100 {
		items = append(items, `{"id":"`+strings.Repeat("x", i%7)+`","price":12.5,"tags":["a","b"],"n":`+string(rune('0'+i%10))+`}`)
	}
	p := answer(`{"requestId":"a","items":[` + strings.Join(items, ",") + `]}`)
	c := answer(`{"requestId":"b","items":[` + strings.Join(items, ",") + `]}`)
	o := Options{Headers: []string{"Content-Type"}, IgnoreJSONPaths: []string{"$.requestId"}}
	for _, bc := range []struct {
		name string
		c    Response
	}{{"json-walk", c}, {"identical", p}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(p.Body)))
			for b.Loop() {
				if d := Diff(p, bc.c, o); len(d) != 0 {
					b.Fatal(d)
				}
			}
		})
	}
}
