package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/client"
	"github.com/slipway-dev/slipway/flags"
	"github.com/slipway-dev/slipway/flags/feed"
)

// Changes is what `changes` prints: for each flag change, nanoseconds
// from sending POST /v1/flags/KEY/{kill,enable} to its answer (API), to
// the first `data:` line on a raw OFREP event stream (SSE), and to the
// Changed channel of a flags/feed Feed closing with the new revision
// (Feed). The three watch the same change at once.
type Changes struct {
	Flags int     `json:"flags"` // flags the feed loaded
	API   []int64 `json:"api_ns"`
	SSE   []int64 `json:"sse_ns"`
	Feed  []int64 `json:"feed_ns"`
}

// changeConfig is what the `changes` flags set.
type changeConfig struct {
	url, key, flag string
	n              int
	timeout, gap   time.Duration
}

func changes(ctx context.Context, args []string, stderr io.Writer) (Changes, error) {
	var c changeConfig
	fs := flag.NewFlagSet("flagsproc changes", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.url, "url", "", "the server's API base URL")
	fs.StringVar(&c.key, "key", "", "an evaluation key")
	fs.StringVar(&c.flag, "flag", "", "the flag to kill and enable, in turn")
	fs.IntVar(&c.n, "n", 20, "changes to make")
	fs.DurationVar(&c.timeout, "timeout", 30*time.Second, "bound on one change being seen (and on the feed's first load)")
	fs.DurationVar(&c.gap, "gap", 100*time.Millisecond, "quiet between two changes")
	if err := fs.Parse(args); err != nil {
		return Changes{}, err
	}
	if c.url == "" || c.flag == "" {
		return Changes{}, errors.New("-url and -flag are required")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	f, err := startFeed(ctx, c)
	if err != nil {
		return Changes{}, err
	}
	events, err := openEvents(ctx, c)
	if err != nil {
		return Changes{}, err
	}
	out := Changes{Flags: len(f.EvaluateAll(flags.Context{}))}
	admin := client.New(c.url, client.WithToken(os.Getenv("SLIPWAY_TOKEN")))
	for i := range c.n {
		if err := sleep(ctx, c.gap); err != nil {
			return out, err
		}
		verb := [2]string{"kill", "enable"}[i%2]
		api, sse, fd, err := change(ctx, c, admin, f, events, verb)
		if err != nil {
			return out, fmt.Errorf("change %d (%s): %w", i+1, verb, err)
		}
		out.API, out.SSE, out.Feed = append(out.API, api.Nanoseconds()), append(out.SSE, sse.Nanoseconds()), append(out.Feed, fd.Nanoseconds())
	}
	return out, nil
}

// startFeed runs a Feed until ctx ends and waits for its first load.
func startFeed(ctx context.Context, c changeConfig) (*feed.Feed, error) {
	f, err := feed.New(feed.Config{URL: c.url, Key: c.key})
	if err != nil {
		return nil, err
	}
	go f.Run(ctx)
	select {
	case <-f.Ready():
		return f, nil
	case <-time.After(c.timeout):
		return nil, fmt.Errorf("the feed did not load the flags within %s", c.timeout)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// change makes one edit and times how long each watcher takes to see it.
// Each watcher notes the time it saw the change itself, so that the
// order in which this function looks does not matter.
func change(ctx context.Context, c changeConfig, admin *client.Client, f *feed.Feed, events <-chan time.Time, verb string) (apiT, sseT, feedT time.Duration, err error) {
	drain(events)
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	loaded := watch(ctx, f.Changed())
	start := time.Now()
	fl, err := admin.EditFlag(ctx, c.flag, verb, api.FlagRequest{Reason: "bench/flags"})
	if err != nil {
		return 0, 0, 0, err
	}
	apiT = time.Since(start)
	for _, w := range []struct {
		ch   <-chan time.Time
		d    *time.Duration
		what string
	}{{events, &sseT, "an event on the stream"}, {loaded, &feedT, "the feed's next load"}} {
		select {
		case at := <-w.ch:
			*w.d = at.Sub(start)
		case <-ctx.Done():
			return 0, 0, 0, fmt.Errorf("no sign of %s within %s", w.what, c.timeout)
		}
	}
	if got := f.Revision(); got != fl.Revision {
		return 0, 0, 0, fmt.Errorf("the feed loaded revision %d, the edit made %d", got, fl.Revision)
	}
	killed := f.Evaluate(c.flag, flags.Context{}).Reason == flags.ReasonDisabled
	if killed != (verb == "kill") {
		return 0, 0, 0, fmt.Errorf("after %s the feed evaluates %s as %+v", verb, c.flag, f.Evaluate(c.flag, flags.Context{}))
	}
	return apiT, sseT, feedT, nil
}

// watch sends the time ch closes, unless ctx ends first.
func watch(ctx context.Context, ch <-chan struct{}) <-chan time.Time {
	out := make(chan time.Time, 1)
	go func() {
		select {
		case <-ch:
			out <- time.Now()
		case <-ctx.Done():
		}
	}()
	return out
}

// openEvents opens GET /ofrep/v1/events, waits for the server's first
// message (": connected"), and sends the time each `data:` line is read
// until ctx ends. Nothing but net/http and line splitting: how any SSE
// client sees the stream.
func openEvents(ctx context.Context, c changeConfig) (<-chan time.Time, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(c.url, "/")+"/ofrep/v1/events", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/event-stream")
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("open the event stream: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("open the event stream: %s", resp.Status)
	}
	br := bufio.NewReader(resp.Body)
	for { // up to the end of the first message
		line, err := br.ReadString('\n')
		if err != nil {
			resp.Body.Close()
			return nil, fmt.Errorf("read the event stream: %w", err)
		}
		if line == "\n" {
			break
		}
	}
	out := make(chan time.Time, 64)
	go func() {
		defer resp.Body.Close()
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			if !strings.HasPrefix(line, "data:") {
				continue
			}
			select {
			case out <- time.Now():
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// drain discards times already sent.
func drain(ch <-chan time.Time) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
