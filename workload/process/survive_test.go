package process

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/workload"
)

// helperDirEnv, when set, makes TestHelperServer act as a server that
// starts one instance (helperSpecEnv's, JSON) in that directory, prints
// its PID and waits to be killed.
const (
	helperDirEnv  = "SLIPWAY_PROCESS_HELPER_DIR"
	helperSpecEnv = "SLIPWAY_PROCESS_HELPER_SPEC"
)

func TestHelperServer(t *testing.T) {
	dir := os.Getenv(helperDirEnv)
	if dir == "" {
		t.Skip("helper process for killedServer")
	}
	var s workload.InstanceSpec
	if err := json.Unmarshal([]byte(os.Getenv(helperSpecEnv)), &s); err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	st, err := New(dir, Options{Logger: quiet}).Start(context.Background(), s)
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
	pid := killedServer(t, dir, sleeper("survivor"))
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

// killedServer runs TestHelperServer (this test binary) as a server
// that starts s in dir and prints its PID, kills it with SIGKILL once it
// has, and returns the PID.
func killedServer(t *testing.T, dir string, s workload.InstanceSpec) int {
	t.Helper()
	js, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	server := exec.Command(os.Args[0], "-test.run=^TestHelperServer$")
	server.Env = append(os.Environ(), helperDirEnv+"="+dir, helperSpecEnv+"="+string(js))
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
