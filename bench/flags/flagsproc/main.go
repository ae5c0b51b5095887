package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/slipway-dev/slipway/bench/internal/benchkit"
)

func main() { benchkit.Main("flagsproc", run) }

// run dispatches to a subcommand; each writes one JSON object to stdout.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: flagsproc evaluate|compile|changes [flags]")
		return flag.ErrHelp
	}
	var out any
	var err error
	switch args[0] {
	case "evaluate":
		out, err = evaluate(args[1:], stderr)
	case "compile":
		out, err = compile(args[1:], stderr)
	case "changes":
		out, err = changes(ctx, args[1:], stderr)
	default:
		return fmt.Errorf("unknown subcommand %q: evaluate, compile or changes", args[0])
	}
	if err != nil {
		return err
	}
	if err := json.NewEncoder(stdout).Encode(out); err != nil {
		return fmt.Errorf("write the result: %w", err)
	}
	return nil
}
