package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// The results flagsproc prints (bench/flags/flagsproc: HotPath,
// Compiled, Changes), decoded.
type (
	hotPath struct {
		Flags       int     `json:"flags"`
		NsPerOp     float64 `json:"ns_per_op"`
		AllocsPerOp int64   `json:"allocs_per_op"`
		BytesPerOp  int64   `json:"bytes_per_op"`
		AllNsPerOp  float64 `json:"all_ns_per_op"`
		AllAllocs   int64   `json:"all_allocs_per_op"`
	}
	compiled struct {
		Flags     int     `json:"flags"`
		Shape     string  `json:"shape"`
		Runs      int     `json:"runs"`
		MedianNs  int64   `json:"median_ns"`
		HeapBytes int64   `json:"heap_bytes"`
		PerFlag   float64 `json:"heap_bytes_per_flag"`
	}
	changeTimes struct {
		Flags int     `json:"flags"`
		API   []int64 `json:"api_ns"`
		SSE   []int64 `json:"sse_ns"`
		Feed  []int64 `json:"feed_ns"`
	}
)

// flagsproc runs the helper built from the measured source with args,
// bounded by timeout, and decodes the JSON it prints into out.
func flagsproc(ctx context.Context, bin string, timeout time.Duration, out any, args ...string) error {
	return flagsprocEnv(ctx, bin, timeout, out, nil, args...)
}

// flagsprocEnv is flagsproc with env added to the helper's environment
// (the server's token, which a command line would show in ps).
func flagsprocEnv(ctx context.Context, bin string, timeout time.Duration, out any, env []string, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("flagsproc %s: %w\n%s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		return fmt.Errorf("flagsproc %s: decode %q: %w", args[0], stdout.String(), err)
	}
	return nil
}
