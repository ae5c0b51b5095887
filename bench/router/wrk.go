package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// load is what one wrk run reports.
type load struct {
	requests int64
	elapsed  time.Duration // wrk's own "in X.XXs"
	rps      float64
	p50, p99 time.Duration
	non2xx   int64  // "Non-2xx or 3xx responses"
	sockErrs string // "Socket errors: ..." when wrk printed it
}

// runWrk runs wrk against url for d, bounded by d plus a margin; extra
// are more of wrk's arguments (a header).
func runWrk(ctx context.Context, wrk, url string, cfg config, d time.Duration, extra ...string) (load, error) {
	ctx, cancel := context.WithTimeout(ctx, d+30*time.Second)
	defer cancel()
	args := []string{
		"-t", strconv.Itoa(cfg.threads), "-c", strconv.Itoa(cfg.connections),
		"-d", fmt.Sprintf("%ds", int(d.Round(time.Second).Seconds())), "--latency",
	}
	args = append(append(args, extra...), url)
	out, err := exec.CommandContext(ctx, wrk, args...).CombinedOutput()
	if err != nil {
		return load{}, fmt.Errorf("wrk %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	l, err := parseWrk(string(out))
	if err != nil {
		return load{}, fmt.Errorf("wrk %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return l, nil
}

// parseWrk reads the numbers out of wrk --latency's report.
func parseWrk(out string) (load, error) {
	var l load
	var errs []error
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		f := strings.Fields(line)
		var err error
		switch {
		case len(f) == 2 && f[0] == "50%":
			l.p50, err = parseWrkDuration(f[1])
		case len(f) == 2 && f[0] == "99%":
			l.p99, err = parseWrkDuration(f[1])
		case len(f) >= 4 && f[1] == "requests" && f[2] == "in":
			l.requests, err = strconv.ParseInt(f[0], 10, 64)
			if err == nil {
				l.elapsed, err = parseWrkDuration(strings.TrimSuffix(f[3], ","))
			}
		case strings.HasPrefix(line, "Requests/sec:") && len(f) == 2:
			l.rps, err = strconv.ParseFloat(f[1], 64)
		case strings.HasPrefix(line, "Non-2xx or 3xx responses:") && len(f) == 5:
			l.non2xx, err = strconv.ParseInt(f[4], 10, 64)
		case strings.HasPrefix(line, "Socket errors:"):
			l.sockErrs = strings.TrimPrefix(line, "Socket errors: ")
		}
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return l, fmt.Errorf("parse wrk output: %w", err)
	}
	if l.requests == 0 || l.rps == 0 || l.p50 == 0 || l.p99 == 0 {
		return l, errors.New("parse wrk output: no requests, requests/sec or latency distribution found")
	}
	return l, nil
}

// parseWrkDuration reads wrk's "812.00us", "1.23ms", "10.00s", "1.50m".
func parseWrkDuration(s string) (time.Duration, error) {
	units := []struct {
		suffix string
		unit   time.Duration
	}{{"us", time.Microsecond}, {"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}, {"h", time.Hour}}
	for _, u := range units {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return 0, fmt.Errorf("duration %q: %w", s, err)
			}
			return time.Duration(x * float64(u.unit)), nil
		}
	}
	return 0, fmt.Errorf("duration %q: unknown unit", s)
}
