package router

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/slipway-dev/slipway/mirror"
)

// countingMirrors is a MirrorObserver that counts, and records into a
// Tally when it has one.
type countingMirrors struct {
	tally             *mirror.Tally
	compared, dropped atomic.Int64
}

func (c *countingMirrors) Compared(_ string, _ int, x mirror.Exchange) {
	c.compared.Add(1)
	if c.tally != nil {
		c.tally.Record(x)
	}
}

func (c *countingMirrors) Dropped(string, int) { c.dropped.Add(1) }

// BenchmarkMirror measures requests per second through the router to
// local backends (two stable instances, a candidate), with and without
// mirroring. Client, router and backends share the machine's CPUs, so a
// copy's cost (two more backend requests, the capture, the comparison)
// shows in the user's throughput.
//
//	go test -run '^$' -bench Mirror ./router/
func BenchmarkMirror(b *testing.B) {
	body := `{"requestId":"%d","items":[` + strings.Repeat(`{"sku":"abc-123","qty":2,"price":12.5},`, 20) + `{"sku":"z","qty":1,"price":1}]}`
	var seq atomic.Int64
	h := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, body, seq.Add(1))
	}
	for _, bc := range []struct {
		name   string
		mirror *Mirror
		tally  bool
	}{
		{"off", nil, false},
		{"10%", &Mirror{Revision: 2, Percent: 10}, false},
		{"100%", &Mirror{Revision: 2, Percent: 100}, false},
		{"100%+tally", &Mirror{Revision: 2, Percent: 100}, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			obs := &countingMirrors{}
			if bc.tally {
				obs.tally, _ = mirror.NewTally(mirror.Options{Headers: []string{"Content-Type"}, IgnoreJSONPaths: []string{"$.requestId"}})
			}
			rt := New(Config{Mirrors: obs})
			defer rt.Close()
			bs := []Backend{benchBackend(b, "a", 1, h), benchBackend(b, "b", 1, h)}
			if bc.mirror != nil {
				bs = append(bs, benchBackend(b, "c", 2, h))
			}
			rt.Update([]Route{{Service: "s", Backends: bs, Mirror: bc.mirror}})
			srv := httptest.NewServer(rt)
			defer srv.Close()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
			defer client.CloseIdleConnections()
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					resp, err := client.Get(srv.URL + "/orders/1")
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
			b.ReportMetric(float64(obs.compared.Load())/float64(b.N), "compared/op")
			b.ReportMetric(float64(obs.dropped.Load())/float64(b.N), "dropped/op")
		})
	}
}

func benchBackend(b *testing.B, name string, rev int, h http.HandlerFunc) Backend {
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	return Backend{ID: name, Revision: rev, Addr: srv.Listener.Addr().String()}
}
