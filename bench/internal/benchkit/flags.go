package benchkit

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// NewFlagSet is a benchmark program's flag set: it reports errors (and
// -help) on stderr instead of exiting, and has -worktree, which every
// program that builds slipway takes, set into worktree (nil: none).
func NewFlagSet(name string, stderr io.Writer, worktree *bool) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if worktree != nil {
		fs.BoolVar(worktree, "worktree", false, "build the working tree as it is (default: the committed HEAD)")
	}
	return fs
}

// NoArgs is an error when fs, parsed, was given arguments besides its
// flags.
func NoArgs(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return nil
}

// LoadAverage is the first three fields of /proc/loadavg (1, 5 and 15
// minutes), or "unknown".
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

// LoadFact is the header line of the machine's load before a
// measurement (LoadAverage then) and now, after it.
func LoadFact(before string) Fact {
	return Fact{Label: "loadavg", Value: fmt.Sprintf("%s before, %s after (1, 5, 15 min): other work on the machine shares its cores", before, LoadAverage())}
}
