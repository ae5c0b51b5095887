package process

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// helperDirEnv, when set, makes TestHelperServer act as a server that
// starts one instance in that directory, prints its PID and waits to be
// killed.
const helperDirEnv = "SLIPWAY_PROCESS_HELPER_DIR"

func TestHelperServer(t *testing.T) {
	dir := os.Getenv(helperDirEnv)
	if dir == "" {
		t.Skip("helper process for TestSurvivesServerKill")
	}
	st, err := New(dir, Options{Logger: quiet}).Start(context.Background(), sleeper("survivor"))
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println(st.PID)
	time.Sleep(time.Minute)
}

// TestSurvivesServerKill kills a real server process with SIGKILL and
// checks that its instance lives on and that a new Driver adopts it.
func TestSurvivesServerKill(t *testing.T) {
	dir := t.TempDir()
	pid := killedServer(t, "TestHelperServer", helperDirEnv, dir)
	d := New(dir, Options{Logger: quiet})
	t.Cleanup(func() { _ = d.Stop(context.Background(), "survivor", 0) })

	st, err := readStat(pid)
	if err != nil || st.ended() || st.PGID != pid {
		t.Fatalf("instance after server kill: %+v, %v; want alive leading its group", st, err)
	}
	if got := statusOf(t, d, "survivor"); !got.Running || got.PID != pid {
		t.Fatalf("new driver sees %+v, want running PID %d", got, pid)
	}
	if err := d.Stop(context.Background(), "survivor", time.Second); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	waitGone(t, pid)
}

// killedServer runs the helper test named helper (this test binary,
// with env set to dir) as a server that starts one instance and prints
// its PID, kills it with SIGKILL once it has, and returns the PID.
func killedServer(t *testing.T, helper, env, dir string) int {
	t.Helper()
	server := exec.Command(os.Args[0], "-test.run=^"+helper+"$")
	server.Env = append(os.Environ(), env+"="+dir)
	out, err := server.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	_ = server.Process.Kill()
	_ = server.Wait()
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatalf("helper said %q", line)
	}
	return pid
}
