package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/bench/internal/benchkit"
)

// The step's phases: a steady low rate, the step, and the low rate
// again while the service scales down.
const (
	lowRate             = 10
	steadyFor, stepFor  = 15 * time.Second, 45 * time.Second
	downFor             = 100 * time.Second
	stepTarget, workMS  = 100, 2
	stepScale           = "{min: 1, max: 10, target: {rps: 100}, stabilization: {down: 10s}}"
	slowFactor          = 2
	maxRequestsInFlight = 5000
)

// sent is one request of the open-loop load: when it was due, how long
// its answer took, and whether it failed.
type sent struct {
	at      time.Duration
	latency time.Duration
	failed  bool
}

// count is one sample of the service's instance counts.
type count struct {
	at             time.Duration
	desired, ready int
}

type stepResult struct {
	rate, capacity        int // the step's req/s, and the instances it needs at the target
	steadyP99, toCapacity time.Duration
	reached               bool
	slow, inRamp          int
	failedStep, sentStep  int
	failedDown, sentDown  int
	downs                 []string
	peak                  int
}

func measureStep(ctx context.Context, bin, dir string, highRate int, progress io.Writer) (res stepResult, err error) {
	py := apps[1]
	srv, stop, err := startApplied(ctx, bin, dir, serviceSpec(py, stepScale, fmt.Sprintf("WORK_MS: %q", fmt.Sprint(workMS))))
	if err != nil {
		return res, err
	}
	defer func() { err = errors.Join(err, stop()) }()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var counts []count
	var cmu sync.Mutex
	start := time.Now()
	var wg sync.WaitGroup
	wg.Go(func() { watchCounts(ctx, srv, start, &cmu, &counts) })
	fmt.Fprintf(progress, "step: %d req/s for %s, %d req/s for %s, %d req/s for %s\n", lowRate, steadyFor, highRate, stepFor, lowRate, downFor)
	reqs := openLoop(ctx, "http://"+srv.RouterAddr+"/", start, []phase{{lowRate, steadyFor}, {highRate, stepFor}, {lowRate, downFor}}, progress)
	cancel()
	wg.Wait()
	if len(reqs) == 0 {
		return res, errors.New("no request sent")
	}
	return summarize(reqs, counts, highRate), nil
}

type phase struct {
	rate int
	d    time.Duration
}

// openLoop sends requests on schedule through the phases (each due at
// its time, whatever earlier ones do; at most maxRequestsInFlight wait
// at once, past that a request counts as failed) and returns them all.
func openLoop(ctx context.Context, url string, start time.Time, phases []phase, progress io.Writer) []sent {
	tr := &http.Transport{MaxIdleConnsPerHost: 1000, Proxy: nil}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var mu sync.Mutex
	var out []sent
	var errs []string // the first few failures, for the progress log
	var wg sync.WaitGroup
	slots := make(chan struct{}, maxRequestsInFlight)
	var offset time.Duration
	for _, p := range phases {
		every := time.Second / time.Duration(p.rate)
		for due := offset; due < offset+p.d; due += every {
			if !sleepUntil(ctx, start.Add(due)) {
				break
			}
			select {
			case slots <- struct{}{}:
			default:
				mu.Lock()
				out = append(out, sent{at: due, failed: true})
				mu.Unlock()
				continue
			}
			wg.Go(func() {
				defer func() { <-slots }()
				t0 := time.Now()
				err := get(ctx, client, url, host)
				mu.Lock()
				out = append(out, sent{at: due, latency: time.Since(t0), failed: err != nil})
				if err != nil && len(errs) < 5 {
					errs = append(errs, err.Error())
				}
				mu.Unlock()
			})
		}
		offset += p.d
	}
	wg.Wait()
	for _, e := range errs {
		fmt.Fprintf(progress, "step: a failed request: %s\n", e)
	}
	slices.SortFunc(out, func(a, b sent) int { return int(a.at - b.at) })
	return out
}

func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	return benchkit.Sleep(ctx, d) == nil
}

// watchCounts samples fn's desired and ready counts every 100ms.
func watchCounts(ctx context.Context, srv *benchkit.Server, start time.Time, mu *sync.Mutex, out *[]count) {
	for ctx.Err() == nil {
		c, cancel := context.WithTimeout(ctx, time.Second)
		s, err := srv.Client.Service(c, "fn")
		cancel()
		if err == nil {
			mu.Lock()
			*out = append(*out, count{time.Since(start), s.Desired, s.Ready})
			mu.Unlock()
		}
		_ = benchkit.Sleep(ctx, 100*time.Millisecond)
	}
}

func summarize(reqs []sent, counts []count, highRate int) stepResult {
	r := stepResult{rate: highRate, capacity: (highRate + stepTarget - 1) / stepTarget}
	stepAt, dropAt := steadyFor, steadyFor+stepFor
	var steady []time.Duration
	for _, q := range reqs {
		if q.at >= 2*time.Second && q.at < stepAt && !q.failed {
			steady = append(steady, q.latency)
		}
	}
	slices.Sort(steady)
	if len(steady) > 0 {
		r.steadyP99 = steady[min(len(steady)-1, len(steady)*99/100)]
	}
	capAt := dropAt
	for _, c := range counts {
		if c.at >= stepAt && c.ready >= r.capacity && !r.reached {
			r.reached, capAt, r.toCapacity = true, c.at, c.at-stepAt
		}
		r.peak = max(r.peak, c.desired)
	}
	last := 0
	for _, c := range counts {
		if c.at >= dropAt && last != 0 && c.desired < last {
			r.downs = append(r.downs, fmt.Sprintf("%d->%d at +%ds", last, c.desired, int((c.at-dropAt).Seconds())))
		}
		last = c.desired
	}
	for _, q := range reqs {
		switch {
		case q.at >= stepAt && q.at < dropAt:
			r.sentStep++
			if q.failed {
				r.failedStep++
			}
			if q.at < capAt {
				r.inRamp++
				if q.failed || q.latency > slowFactor*r.steadyP99 {
					r.slow++
				}
			}
		case q.at >= dropAt:
			r.sentDown++
			if q.failed {
				r.failedDown++
			}
		}
	}
	return r
}

func printStep(w io.Writer, r stepResult) {
	fmt.Fprintf(w, "\nstep %d -> %d req/s, Python service (%dms of one lock per request: ~%d req/s an instance), target rps %d (%d instances)\n",
		lowRate, r.rate, workMS, 1000/workMS, stepTarget, r.capacity)
	reach := "not reached in " + stepFor.String()
	if r.reached {
		reach = fmt.Sprintf("%.1fs", r.toCapacity.Seconds())
	}
	share := 0.0
	if r.inRamp > 0 {
		share = 100 * float64(r.slow) / float64(r.inRamp)
	}
	rows := [][2]string{
		{"steady p99 at 10 req/s", ms(r.steadyP99)},
		{fmt.Sprintf("time to %d ready instances", r.capacity), reach},
		{fmt.Sprintf("requests over %dx steady p99 in the ramp", slowFactor), fmt.Sprintf("%d of %d (%.1f%%)", r.slow, r.inRamp, share)},
		{fmt.Sprintf("failed requests at %d req/s", r.rate), fmt.Sprintf("%d of %d", r.failedStep, r.sentStep)},
		{"peak desired instances", fmt.Sprint(r.peak)},
		{"scale-downs after the drop to 10 req/s", strings.Join(append([]string{}, r.downs...), ", ")},
		{"failed requests while scaling down", fmt.Sprintf("%d of %d", r.failedDown, r.sentDown)},
	}
	for _, row := range rows {
		fmt.Fprintf(w, "%-44s %s\n", row[0], row[1])
	}
}
