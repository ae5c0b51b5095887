package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/client"
	"github.com/slipway-dev/slipway/spec"
)

// Exit codes of Run.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitInterrupted = 130
)

// usageFailure reports an error from cobra's parsing (flags, arguments,
// unknown command) followed by the command's usage.
func usageFailure(stderr io.Writer, cmd *cobra.Command, err error) int {
	fmt.Fprintf(stderr, "error: %v\n", err)
	if cmd != nil {
		fmt.Fprintf(stderr, "\n%s", cmd.UsageString())
	}
	return exitUsage
}

// failure prints err as "error: ..." plus any detail lines it carries,
// and returns the exit code for it.
func failure(stderr io.Writer, err error) int {
	if errors.Is(err, context.Canceled) {
		fmt.Fprintf(stderr, "interrupted: %v\n", err)
		return exitInterrupted
	}
	var exit commandExit
	if errors.As(err, &exit) { // slipway exec: its command's own status
		return exit.code
	}
	headline, details := describe(err)
	fmt.Fprintf(stderr, "error: %s\n", headline)
	for _, d := range details {
		fmt.Fprintln(stderr, d)
	}
	return exitFailure
}

// describe splits an error into a headline and detail lines: every
// problem of an invalid spec, or the failure of an operation.
func describe(err error) (string, []string) {
	var cerr *client.Error
	var probs *spec.Problems
	var opErr *operationError
	var unreachable *client.UnreachableError
	switch {
	case errors.As(err, &unreachable):
		return unreachable.Error(), nil // the whole story; context would only clutter it
	case errors.As(err, &cerr) && len(cerr.Problems) > 0:
		return cerr.Message, formatProblems(cerr.Problems)
	case errors.As(err, &probs):
		return countProblems(len(*probs)), localProblems(*probs)
	case errors.As(err, &opErr):
		return opErr.Error(), opErr.details()
	}
	return err.Error(), nil
}

func formatProblems(ps []api.Problem) []string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = client.FormatProblem(p)
	}
	return lines
}

func localProblems(ps spec.Problems) []string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return lines
}

func countProblems(n int) string {
	if n == 1 {
		return "the spec has 1 problem"
	}
	return fmt.Sprintf("the spec has %d problems", n)
}

// operationError is an operation that ended without succeeding.
type operationError struct {
	op api.Operation
}

func (e *operationError) Error() string {
	msg := fmt.Sprintf("operation %d ended %s", e.op.ID, e.op.State)
	if e.op.Message != "" {
		msg += ": " + e.op.Message
	}
	return msg
}

// details names the failed service and instance, the reason, and the
// instance's last log lines, indented.
func (e *operationError) details() []string {
	f := e.op.Failure
	if f == nil {
		return nil
	}
	lines := []string{"  service:  " + f.Service}
	if f.Instance != "" {
		lines = append(lines, "  instance: "+f.Instance)
	}
	lines = append(lines, "  reason:   "+f.Reason)
	if len(f.Logs) > 0 {
		lines = append(lines, "  last log lines:")
		for _, l := range f.Logs {
			lines = append(lines, "    "+strings.TrimRight(l, "\n"))
		}
	}
	return lines
}
