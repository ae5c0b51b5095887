package dashboard

import (
	"bufio"
	"context"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// revCounters are one revision's cumulative router counters, as
// /metrics exposes them.
type revCounters struct {
	Requests, Errors float64
	// Buckets are the duration histogram's cumulative counts by upper
	// bound (seconds).
	Buckets map[float64]float64
}

// sample is one look at a service: its canary weight and the counters
// of each revision.
type sample struct {
	T      time.Time
	Weight int
	Revs   map[int]revCounters
	// Mismatch is a parallel run's mismatch rate, -1 when none runs.
	Mismatch float64
}

// histories keeps, in memory, recent samples of each service a live view
// has looked at: the weight over time and request rates come from them.
// They last as long as the server; a restarted server starts anew.
type histories struct {
	mu    sync.Mutex // guards byKey
	byKey map[string][]sample
}

// maxSamples bounds one service's history (at one a second, 20 minutes).
const maxSamples = 1200

// add appends s unless it repeats the latest sample's second.
func (h *histories) add(key string, s sample) []sample {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.byKey == nil {
		h.byKey = map[string][]sample{}
	}
	hs := h.byKey[key]
	if n := len(hs); n > 0 && s.T.Sub(hs[n-1].T) < 500*time.Millisecond {
		hs[n-1] = s
	} else {
		hs = append(hs, s)
	}
	if len(hs) > maxSamples {
		hs = hs[len(hs)-maxSamples:]
	}
	h.byKey[key] = hs
	return append([]sample(nil), hs...)
}

var labelRE = regexp.MustCompile(`(\w+)="([^"]*)"`)

// routerCounters reads the environment's /metrics and returns service's
// counters by revision ("*": every service's, summed by revision).
func (d *Dashboard) routerCounters(ctx context.Context, se session, env, service string) map[int]revCounters {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://localhost/metrics", nil)
	if err != nil {
		return nil
	}
	if env != "" {
		req.Header.Set("X-Slipway-Env", env)
	}
	rec := &recorder{header: http.Header{}}
	d.cfg.API.ServeHTTP(rec, d.withCredentials(req, se))
	if rec.status != 0 && rec.status != http.StatusOK {
		return nil
	}
	return parseCounters(rec.body.String(), service)
}

// parseCounters picks the router's request counters and duration
// histogram of one service out of Prometheus text.
func parseCounters(text, service string) map[int]revCounters {
	out := map[int]revCounters{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		name, rest, ok := strings.Cut(line, "{")
		if !ok || !strings.HasPrefix(name, "slipway_router_") {
			continue
		}
		labels, value, ok := strings.Cut(rest, "} ")
		if !ok {
			continue
		}
		l := map[string]string{}
		for _, m := range labelRE.FindAllStringSubmatch(labels, -1) {
			l[m[1]] = m[2]
		}
		rev, err := strconv.Atoi(l["revision"])
		v, verr := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if (service != "*" && l["service"] != service) || err != nil || verr != nil {
			continue
		}
		c := out[rev]
		switch name {
		case "slipway_router_requests_total":
			c.Requests += v
			if l["code_class"] == "5xx" {
				c.Errors += v
			}
		case "slipway_router_request_duration_seconds_bucket":
			le, err := strconv.ParseFloat(l["le"], 64)
			if err != nil { // +Inf
				continue
			}
			if c.Buckets == nil {
				c.Buckets = map[float64]float64{}
			}
			c.Buckets[le] += v
		}
		out[rev] = c
	}
	return out
}

// revStats is what one revision's traffic looked like lately.
type revStats struct {
	Label    string
	Revision int
	Requests float64 // in the window
	Rate     float64 // requests a second
	Success  string  // "99.2%" or "no requests"
	P50, P99 string
}

// window is how far back rates and quantiles look.
const window = 30 * time.Second

// statsOf compares the latest sample with the oldest within window (or
// with nothing: counts since the server started).
func statsOf(hs []sample, rev int, label string) revStats {
	st := revStats{Label: label, Revision: rev, Success: "no requests", P50: "-", P99: "-"}
	if len(hs) == 0 {
		return st
	}
	last := hs[len(hs)-1]
	first := sample{}
	for _, s := range hs {
		if last.T.Sub(s.T) <= window {
			first = s
			break
		}
	}
	now, then := last.Revs[rev], first.Revs[rev]
	st.Requests = now.Requests - then.Requests
	if secs := last.T.Sub(first.T).Seconds(); first.T.IsZero() == false && secs > 0 {
		st.Rate = st.Requests / secs
	}
	if st.Requests <= 0 {
		return st
	}
	st.Success = trimFloat(100*(1-(now.Errors-then.Errors)/st.Requests)) + "%"
	st.P50 = quantile(now.Buckets, then.Buckets, 0.5)
	st.P99 = quantile(now.Buckets, then.Buckets, 0.99)
	return st
}

// quantile estimates q from the difference of two cumulative histograms:
// the upper bound of the first bucket that holds q of the requests.
func quantile(now, then map[float64]float64, q float64) string {
	ms, ok := quantileMS(now, then, q)
	switch {
	case !ok:
		return "-"
	case ms < 0:
		return "> " + trimFloat(-ms) + " ms"
	}
	return "≤ " + trimFloat(ms) + " ms"
}

// quantileMS is quantile in milliseconds; past the last bucket it is the
// last bound, negated.
func quantileMS(now, then map[float64]float64, q float64) (float64, bool) {
	les := make([]float64, 0, len(now))
	for le := range now {
		les = append(les, le)
	}
	sort.Float64s(les)
	if len(les) == 0 {
		return 0, false
	}
	top := les[len(les)-1]
	total := now[top] - then[top]
	if total <= 0 {
		return 0, false
	}
	for _, le := range les {
		if (now[le]-then[le])/total >= q {
			return le * 1000, true
		}
	}
	return -top * 1000, true
}
