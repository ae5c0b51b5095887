package testrun

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// hangLimit bounds every Run in these tests. It is no timing assertion:
// the commands that must be stopped would run for a minute, so a Run
// that is still going after this long has hung.
const hangLimit = 20 * time.Second

// bounded runs c, failing the test if Run hangs.
func bounded(t *testing.T, ctx context.Context, c Command) Result {
	t.Helper()
	done := make(chan Result, 1)
	go func() { done <- Run(ctx, c) }()
	select {
	case res := <-done:
		t.Logf("%s after %v", res.Reason, res.Duration)
		return res
	case <-time.After(hangLimit):
		t.Fatalf("Run(%q) still running after %v", c.Run, hangLimit)
		return Result{}
	}
}

// cmd is a Command with a test's directory and a minute's timeout.
func cmd(t *testing.T, line string) Command {
	return Command{Run: line, Dir: t.TempDir(), Timeout: time.Minute}
}

func TestPass(t *testing.T) {
	t.Parallel()
	res := bounded(t, context.Background(), cmd(t, "echo ok; echo warn >&2"))
	want := Result{Passed: true, Output: "ok\nwarn\n", Reason: "exit status 0"}
	if res.Passed != want.Passed || res.ExitCode != 0 || res.Output != want.Output || res.Reason != want.Reason {
		t.Fatalf("got %+v, want %+v", res, want)
	}
}

func TestFail(t *testing.T) {
	t.Parallel()
	res := bounded(t, context.Background(), cmd(t, "echo 'FAIL: checkout' >&2; exit 3"))
	if res.Passed || res.ExitCode != 3 || res.TimedOut || res.Reason != "exit status 3" ||
		res.Output != "FAIL: checkout\n" {
		t.Fatalf("got %+v, want exit status 3", res)
	}
}

func TestDir(t *testing.T) {
	t.Parallel()
	c := cmd(t, "pwd -P")
	dir, err := filepath.EvalSymlinks(c.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if res := bounded(t, context.Background(), c); res.Output != dir+"\n" {
		t.Fatalf("ran in %q, want %q", res.Output, dir)
	}
}

func TestScriptNotFound(t *testing.T) {
	t.Parallel()
	res := bounded(t, context.Background(), cmd(t, "./scripts/acceptance.sh"))
	if res.Passed || res.ExitCode != 127 || !strings.HasPrefix(res.Reason, "exit status 127: ") ||
		!strings.Contains(res.Reason, "./scripts/acceptance.sh: not found") {
		t.Fatalf("got %+v, want exit status 127 with the shell's message", res)
	}
}

func TestScriptNotExecutable(t *testing.T) {
	t.Parallel()
	c := cmd(t, "./acceptance.sh")
	if err := os.WriteFile(filepath.Join(c.Dir, "acceptance.sh"), []byte("exit 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := bounded(t, context.Background(), c)
	if res.Passed || res.ExitCode != 126 || !strings.Contains(res.Reason, "Permission denied") {
		t.Fatalf("got %+v, want exit status 126, permission denied", res)
	}
}

func TestMissingDir(t *testing.T) {
	t.Parallel()
	c := cmd(t, "true")
	c.Dir = filepath.Join(c.Dir, "gone")
	res := bounded(t, context.Background(), c)
	want := "cannot start: directory " + c.Dir + " does not exist"
	if res.Passed || res.ExitCode != -1 || res.Reason != want {
		t.Fatalf("got %+v, want Reason %q", res, want)
	}
}

func TestDirIsAFile(t *testing.T) {
	t.Parallel()
	c := cmd(t, "true")
	c.Dir = filepath.Join(c.Dir, "slipway.yaml")
	if err := os.WriteFile(c.Dir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	res := bounded(t, context.Background(), c)
	if want := "cannot start: " + c.Dir + " is not a directory"; res.Passed || res.Reason != want {
		t.Fatalf("got %+v, want Reason %q", res, want)
	}
}

func TestInvalid(t *testing.T) {
	t.Parallel()
	res := bounded(t, context.Background(), Command{Env: map[string]string{"A=B": "x"}})
	want := `invalid command: run: empty command; timeout: must be > 0, got 0s; env "A=B": invalid name or value`
	if res.Passed || res.ExitCode != -1 || res.Reason != want {
		t.Fatalf("got %+v, want Reason %q", res, want)
	}
}

// TestEnvIsExact checks that the command sees Env and the server's PATH,
// and nothing else of the server's environment.
func TestEnvIsExact(t *testing.T) {
	t.Setenv("SLIPWAY_TESTRUN_SECRET", "hunter2")
	c := cmd(t, "env")
	c.Env = map[string]string{
		"SLIPWAY_URL":         "http://127.0.0.1:7070",
		"SLIPWAY_ENVIRONMENT": "staging",
		"SLIPWAY_VERSION":     "v1.2.3 (with spaces)",
	}
	res := bounded(t, context.Background(), c)
	var got []string
	for _, kv := range strings.Split(strings.TrimSpace(res.Output), "\n") {
		if !strings.HasPrefix(kv, "PWD=") { // the shell sets it
			got = append(got, kv)
		}
	}
	slices.Sort(got)
	want := []string{
		"PATH=" + os.Getenv("PATH"),
		"SLIPWAY_ENVIRONMENT=staging",
		"SLIPWAY_URL=http://127.0.0.1:7070",
		"SLIPWAY_VERSION=v1.2.3 (with spaces)",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("environment:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestEnvPathIsKept(t *testing.T) {
	t.Parallel()
	c := cmd(t, `echo "$PATH"`)
	c.Env = map[string]string{"PATH": "/bin:/usr/bin:/opt/tools"}
	if res := bounded(t, context.Background(), c); res.Output != "/bin:/usr/bin:/opt/tools\n" {
		t.Fatalf("PATH = %q, want the one given", res.Output)
	}
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	c := cmd(t, "sleep 60")
	c.Timeout = 300 * time.Millisecond
	res := bounded(t, context.Background(), c)
	if res.Passed || !res.TimedOut || res.ExitCode != -1 ||
		res.Reason != "timed out after 300ms; stopped (SIGTERM)" {
		t.Fatalf("got %+v, want timed out, stopped by SIGTERM", res)
	}
}

// TestStopIgnoringTerm: a command that ignores SIGTERM is killed after the grace.
func TestStopIgnoringTerm(t *testing.T) {
	t.Parallel()
	c := cmd(t, "trap '' TERM; touch ready; sleep 60")
	c.Timeout = time.Hour
	res := bounded(t, whenReady(t, c.Dir), c)
	if res.Passed || res.TimedOut || res.ExitCode != -1 ||
		res.Reason != "canceled: context canceled; killed (SIGKILL) after 2s grace" {
		t.Fatalf("got %+v, want killed", res)
	}
}

// TestGrandchildHoldingOutput: the shell ends at once, but its background
// child holds the output pipe. Run returns without waiting for it, and
// kills it.
func TestGrandchildHoldingOutput(t *testing.T) {
	t.Parallel()
	res := bounded(t, context.Background(), cmd(t, "sleep 60 & echo $!"))
	if !res.Passed {
		t.Fatalf("got %+v, want passed", res)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(res.Output))
	if err != nil {
		t.Fatalf("output %q: want the background PID", res.Output)
	}
	waitGone(t, pid)
}

// TestEscapedGrandchild: a child that left the group cannot be killed,
// but its hold on the output is cut after a short drain.
func TestEscapedGrandchild(t *testing.T) {
	t.Parallel()
	// The fifo makes the shell wait until the child has left the group,
	// or the group's SIGKILL could catch it on the way.
	script := "mkfifo left; setsid sh -c 'echo > left; exec sleep 60' & read x < left; echo $!"
	res := bounded(t, context.Background(), cmd(t, script))
	pid, err := strconv.Atoi(strings.TrimSpace(res.Output))
	if err != nil {
		t.Fatalf("output %q: want the background PID", res.Output)
	}
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	if !res.Passed {
		t.Fatalf("got %+v, want passed", res)
	}
	if stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err != nil || !strings.Contains(string(stat), "(sleep) S") {
		t.Fatalf("escaped child: %q, %v; want it sleeping, out of reach", stat, err)
	}
}

// TestStoppedGroup: when the shell is stopped, its children go too,
// including one that ignores SIGTERM.
func TestStoppedGroup(t *testing.T) {
	t.Parallel()
	c := cmd(t, "(trap '' TERM; sleep 60) & echo $!; touch ready; sleep 60")
	res := bounded(t, whenReady(t, c.Dir), c)
	if res.Passed || res.Reason != "canceled: context canceled; stopped (SIGTERM)" {
		t.Fatalf("got %+v, want canceled", res)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(res.Output))
	if err != nil {
		t.Fatalf("output %q: want the background PID", res.Output)
	}
	waitGone(t, pid)
}

func TestCancel(t *testing.T) {
	t.Parallel()
	c := cmd(t, "echo started; touch ready; sleep 60")
	res := bounded(t, whenReady(t, c.Dir), c)
	if res.Passed || res.TimedOut || res.ExitCode != -1 || res.Output != "started\n" ||
		res.Reason != "canceled: context canceled; stopped (SIGTERM)" {
		t.Fatalf("got %+v, want canceled, with the output so far", res)
	}
}

func TestCanceledBeforeStart(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := cmd(t, "touch ran")
	res := bounded(t, ctx, c)
	if res.Passed || res.Reason != "canceled before start: context canceled" {
		t.Fatalf("got %+v, want canceled before start", res)
	}
	if _, err := os.Stat(filepath.Join(c.Dir, "ran")); err == nil {
		t.Fatal("the command ran")
	}
}

// TestOutputCut prints 500 lines into 1000 bytes: the end is kept, from a
// line, and the cut is counted.
func TestOutputCut(t *testing.T) {
	t.Parallel()
	c := cmd(t, `i=0; while [ $i -lt 500 ]; do echo "line $i"; i=$((i+1)); done; exit 1`)
	c.MaxOutput = 1000
	res := bounded(t, context.Background(), c)
	var all strings.Builder
	for i := range 500 {
		fmt.Fprintf(&all, "line %d\n", i)
	}
	kept := all.String()[all.Len()-1000:]
	kept = kept[strings.IndexByte(kept, '\n')+1:]
	want := fmt.Sprintf("[... %d bytes cut]\n%s", all.Len()-len(kept), kept)
	if res.Output != want || res.ExitCode != 1 {
		t.Fatalf("output:\n%s\nwant:\n%s", res.Output, want)
	}
}

// TestOutputHuge: 200 MB of output costs MaxOutput bytes.
// (200000000 zeros, "\n", "done\n", of which the last 100 are kept.)
func TestOutputHuge(t *testing.T) {
	t.Parallel()
	c := cmd(t, "head -c 200000000 /dev/zero; echo; echo done")
	c.MaxOutput = 100
	res := bounded(t, context.Background(), c)
	if !res.Passed || !strings.HasPrefix(res.Output, "[... 199999906 bytes cut]\n") ||
		!strings.HasSuffix(res.Output, "\x00\ndone\n") {
		t.Fatalf("got %+v", res)
	}
}

func TestDefaultMaxOutput(t *testing.T) {
	t.Parallel()
	res := bounded(t, context.Background(), cmd(t, "head -c 100000 /dev/zero"))
	if want := fmt.Sprintf("[... %d bytes cut]\n", 100000-DefaultMaxOutput); !strings.HasPrefix(res.Output, want) ||
		len(res.Output) != len(want)+DefaultMaxOutput {
		t.Fatalf("output starts %q, %d bytes; want %q and %d bytes kept",
			res.Output[:30], len(res.Output), want, DefaultMaxOutput)
	}
}

// whenReady returns a context that is canceled once the command has
// created the file "ready" in dir, to stop it at a known point.
func whenReady(t *testing.T, dir string) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go func() {
		for ctx.Err() == nil {
			if _, err := os.Stat(filepath.Join(dir, "ready")); err == nil {
				cancel()
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	return ctx
}

// waitGone waits for the process to be gone: no longer in /proc, or a
// zombie (its new parent, maybe not an init that reaps, holds it).
func waitGone(t *testing.T, pid int) {
	t.Helper()
	for range 500 {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return
		}
		// The state follows the command name in parentheses.
		if f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:])); len(f) > 0 && f[0] == "Z" {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("process %d still running", pid)
}

// TestStartFunc checks that Command.Start starts the shell Run built (in
// its directory, with its environment) and that its error fails the run
// unstarted with the error as the Reason.
func TestStartFunc(t *testing.T) {
	dir := t.TempDir()
	var started *exec.Cmd
	c := Command{Run: "pwd; echo $X", Dir: dir, Env: map[string]string{"X": "x"}, Timeout: 10 * time.Second,
		Start: func(cmd *exec.Cmd) error { started = cmd; return cmd.Start() }}
	res := Run(context.Background(), c)
	if !res.Passed || res.Output != dir+"\nx\n" || started == nil || started.SysProcAttr == nil || !started.SysProcAttr.Setsid {
		t.Errorf("run through Start: %+v, cmd %+v", res, started)
	}
	c.Start = func(*exec.Cmd) error { return errors.New("directory /x is not readable by uid 61184") }
	res = Run(context.Background(), c)
	if res.Passed || res.ExitCode != -1 || res.Reason != "cannot start: directory /x is not readable by uid 61184" {
		t.Errorf("refused by Start: %+v", res)
	}
}
