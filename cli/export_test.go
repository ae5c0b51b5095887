package cli

import (
	"context"
	"io"
	"time"
)

// RunAt is Run on a clock stopped at now, for the tests of what depends
// on the time (how long a parallel run has left).
func RunAt(ctx context.Context, now time.Time, args []string, stdout, stderr io.Writer) int {
	return execute(ctx, func() time.Time { return now }, args, stdout, stderr)
}
