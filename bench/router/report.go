package main

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/slipway-dev/slipway/internal/gctune"
)

// printTable prints one line per target, the router's lines compared with
// nginx's (one worker, and as many as CPUs): medians over the rounds;
// then, with several rounds, each round's ratios, to show the noise.
func printTable(w io.Writer, cfg config, rounds []results) {
	fmt.Fprintf(w, "wrk -t%d -c%d -d%s --latency (after a %s warm-up), GET / -> 100 bytes, keep-alive",
		cfg.threads, cfg.connections, cfg.duration, cfg.warmup)
	if len(rounds) > 1 {
		fmt.Fprintf(w, "; medians of %d rounds", len(rounds))
	}
	fmt.Fprint(w, "\n\n")
	r := results{
		direct:    summarize(rounds, func(r results) result { return r.direct }),
		nginx:     summarize(rounds, func(r results) result { return r.nginx }),
		nginxAuto: summarize(rounds, func(r results) result { return r.nginxAuto }),
		router:    summarize(rounds, func(r results) result { return r.router }),
		split:     summarize(rounds, func(r results) result { return r.split }),
	}
	rows := []result{r.direct, r.nginx, r.nginxAuto, r.router, r.split}
	if cfg.routerGOGC > 0 {
		rows = append(rows, summarize(rounds, func(r results) result { return r.routerGC }))
	}
	if cfg.base != "" {
		rows = append(rows, summarize(rounds, func(r results) result { return r.base }),
			summarize(rounds, func(r results) result { return r.baseSplit }))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	fmt.Fprintln(tw, "target\treq/s\tp50\tp99\tproxy CPU/req\tbackend CPU/req\tvs nginx, 1 worker\tvs nginx, workers auto")
	for _, row := range rows {
		vs1, vsAuto := "-", "-"
		if row.proxied && row.name != r.nginx.name && row.name != r.nginxAuto.name {
			vs1, vsAuto = ratios(row, r.nginx), ratios(row, r.nginxAuto)
		}
		proxyCPU := "-"
		if row.proxied {
			proxyCPU = perRequest(row.proxyCPU, row.load.requests)
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%s\t%s\t%s\t%s\t%s\t%s\n", row.name, row.load.rps, ms(row.load.p50), ms(row.load.p99),
			proxyCPU, perRequest(row.backendCPU, row.load.requests), vs1, vsAuto)
	}
	tw.Flush()
	for _, row := range rows {
		if row.load.non2xx > 0 || row.load.sockErrs != "" {
			fmt.Fprintf(w, "%s: %d non-2xx/3xx responses; socket errors: %s\n", row.name, row.load.non2xx, orNone(row.load.sockErrs))
		}
	}
	if len(rounds) > 1 {
		printRounds(w, rounds, cfg.base != "")
	}
	fmt.Fprintf(w, "\nCPU/req is utime+stime (/proc/PID/stat, 10ms ticks) over the measured run / requests; nginx's is master + workers.\n")
	fmt.Fprintf(w, "The ratios are req/s, CPU per request and p99, each the router's over nginx's (req/s: higher is better; CPU, p99: lower).\n")
	if cfg.routerGOGC > 0 {
		fmt.Fprintf(w, "GOGC=%d: the router with the garbage collector's GOGC at %d; the rows above run as slipway server does (GOGC=%d, %d MiB soft memory limit: internal/gctune).\n",
			cfg.routerGOGC, cfg.routerGOGC, gctune.Percent, gctune.MemoryLimit>>20)
	}
	fmt.Fprintf(w, "Everything shares %d CPUs: wrk, the backend and the proxy compete for them.\n", runtime.NumCPU())
}

// printRounds prints each round's ratios of the router (plain and split;
// and the base revision's, with base) to nginx, whose spread says how
// noisy the machine was.
func printRounds(w io.Writer, rounds []results, base bool) {
	fmt.Fprintf(w, "\nEach round (req/s / CPU per request / p99, over nginx's):\n")
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	head := "round\tnginx 1w req/s\tnginx auto req/s\trouter vs 1w\trouter vs auto\t90/10 vs 1w\t90/10 vs auto"
	if base {
		head += "\tbase vs 1w\tbase vs auto\tbase 90/10 vs 1w\tbase 90/10 vs auto"
	}
	fmt.Fprintln(tw, head)
	for i, r := range rounds {
		line := fmt.Sprintf("%d\t%.0f\t%.0f\t%s\t%s\t%s\t%s", i+1, r.nginx.load.rps, r.nginxAuto.load.rps,
			ratios(r.router, r.nginx), ratios(r.router, r.nginxAuto), ratios(r.split, r.nginx), ratios(r.split, r.nginxAuto))
		if base {
			line += fmt.Sprintf("\t%s\t%s\t%s\t%s", ratios(r.base, r.nginx), ratios(r.base, r.nginxAuto),
				ratios(r.baseSplit, r.nginx), ratios(r.baseSplit, r.nginxAuto))
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
}

// ratios is row against ref: req/s, CPU per request and p99.
func ratios(row, ref result) string {
	cpu := func(r result) float64 {
		if r.load.requests == 0 {
			return 0
		}
		return float64(r.proxyCPU) / float64(r.load.requests)
	}
	cpuRatio := 0.0
	if c := cpu(ref); c > 0 {
		cpuRatio = cpu(row) / c
	}
	return fmt.Sprintf("%.2f / %.2f / %.2f", row.load.rps/ref.load.rps, cpuRatio, float64(row.load.p99)/float64(ref.load.p99))
}

// summarize folds one target's results over the rounds: the median of
// req/s, p50 and p99; CPU times, requests and errors added up (so CPU/req
// is over all rounds).
func summarize(rounds []results, pick func(results) result) result {
	rows := make([]result, len(rounds))
	for i, r := range rounds {
		rows[i] = pick(r)
	}
	s := rows[0]
	s.load = load{
		rps: median(rows, func(r result) float64 { return r.load.rps }),
		p50: time.Duration(median(rows, func(r result) float64 { return float64(r.load.p50) })),
		p99: time.Duration(median(rows, func(r result) float64 { return float64(r.load.p99) })),
	}
	s.proxyCPU, s.backendCPU = 0, 0
	var sockErrs []string
	for _, r := range rows {
		s.load.requests += r.load.requests
		s.load.non2xx += r.load.non2xx
		s.proxyCPU += r.proxyCPU
		s.backendCPU += r.backendCPU
		if r.load.sockErrs != "" {
			sockErrs = append(sockErrs, r.load.sockErrs)
		}
	}
	s.load.sockErrs = strings.Join(sockErrs, "; ")
	return s
}

// median is the middle value of f over rows (the mean of the two middle
// ones for an even count).
func median(rows []result, f func(result) float64) float64 {
	v := make([]float64, len(rows))
	for i, r := range rows {
		v[i] = f(r)
	}
	slices.Sort(v)
	m := len(v) / 2
	if len(v)%2 == 0 {
		return (v[m-1] + v[m]) / 2
	}
	return v[m]
}

func perRequest(cpu time.Duration, requests int64) string {
	if requests == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fus", float64(cpu.Microseconds())/float64(requests))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
