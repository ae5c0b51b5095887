package container_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/slipway-dev/slipway/image/imagetest"
	"github.com/slipway-dev/slipway/workload"
	"github.com/slipway-dev/slipway/workload/workloadtest"
)

// orderImage is the example service built as a static binary, alone in
// its image (no shell, no libc), run as nobody.
func orderImage(t *testing.T) *workload.Image {
	return testImage(t, "order", func() (v1.Image, error) {
		return imagetest.ProgramImage("github.com/slipway-dev/slipway/examples/order", "app/order", imagetest.Options{User: "65534"})
	})
}

// freePort returns a loopback port nobody listens on.
func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestServesOnItsPortAndStopsOnTerm runs a static Go server on the host
// network, reads its answer, and stops it with SIGTERM, which the server
// (pid 1 of its namespace, with a handler) takes to exit cleanly.
func TestServesOnItsPortAndStopsOnTerm(t *testing.T) {
	imagetest.NeedContainers(t)
	d, _ := newDriver(t)
	port := freePort(t)
	s := workload.InstanceSpec{ID: newID("order"), Service: "order", Port: port,
		Command: []string{"/app/order", "--port", fmt.Sprint(port)},
		Env:     map[string]string{"PORT": fmt.Sprint(port)}, Image: orderImage(t)}
	if _, err := d.Start(context.Background(), s); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = d.Stop(context.Background(), s.ID, 0) })
	url := fmt.Sprintf("http://127.0.0.1:%d/healthz", port)
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			lines, _ := d.Logs(context.Background(), s.ID, 20)
			t.Fatalf("no answer on %s: %v (logs %q)", url, err, lines)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := d.Stop(context.Background(), s.ID, 5*time.Second); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	st := workloadtest.WaitEnded(t, d, s.ID)
	if st.Exit != "exit status 0" {
		t.Fatalf("Exit = %q, want a clean exit on SIGTERM", st.Exit)
	}
}

func TestStartFailureIsClear(t *testing.T) {
	imagetest.NeedContainers(t)
	d, _ := newDriver(t)
	s := shellSpec(t, newID("bad"), "")
	s.Command = []string{"/no/such/program"}
	_, err := d.Start(context.Background(), s)
	if err == nil || !strings.Contains(err.Error(), "/no/such/program") {
		t.Fatalf("Start = %v, want an error naming the program", err)
	}
	st, err := d.Status(context.Background(), s.ID)
	if err != nil || st.Running || !strings.HasPrefix(st.Exit, "start failed") {
		t.Fatalf("Status = %+v, %v; want ended, start failed", st, err)
	}
}
