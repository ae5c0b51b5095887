package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"
)

// profiler takes one CPU profile of routerproc over its /debug/pprof
// endpoint while wrk runs, and renders it with go tool pprof -top.
type profiler struct {
	bin     string // routerproc binary, for symbols
	url     string
	file    string // where the profile is written
	topN    int
	timeout time.Duration // bound on the fetch
	done    chan error    // receives the fetch's result
}

// newProfiler prepares a profile of the routerproc serving pprof on addr
// over cfg.duration (whole seconds, as pprof takes them).
func newProfiler(bin, addr, file string, cfg config) *profiler {
	secs := max(1, int(cfg.duration.Round(time.Second).Seconds()))
	return &profiler{
		bin:     bin,
		url:     fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, secs),
		file:    file,
		topN:    cfg.topN,
		timeout: time.Duration(secs)*time.Second + 30*time.Second,
		done:    make(chan error, 1),
	}
}

// start begins the fetch; the profile covers the next duration.
func (p *profiler) start(ctx context.Context) {
	go func() { p.done <- p.fetch(ctx) }()
}

// wait returns the fetch's result once it has ended.
func (p *profiler) wait() error { return <-p.done }

func (p *profiler) fetch(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url, nil)
	if err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		return fmt.Errorf("profile: %s: %s", resp.Status, b)
	}
	f, err := os.Create(p.file)
	if err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return fmt.Errorf("profile: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	return nil
}

// top is `go tool pprof -top` of the profile, the topN heaviest
// functions by flat time, without pprof's file and build-ID header lines.
func (p *profiler) top(ctx context.Context) (string, error) {
	if p.topN == 0 {
		return "", nil
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "tool", "pprof", "-top", fmt.Sprintf("-nodecount=%d", p.topN), p.bin, p.file)
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go tool pprof -top: %w", err)
	}
	var keep []string
	for line := range strings.Lines(string(out)) {
		if strings.HasPrefix(line, "File:") || strings.HasPrefix(line, "Build ID:") {
			continue
		}
		keep = append(keep, line)
	}
	return strings.Join(keep, ""), nil
}
