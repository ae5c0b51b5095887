package e2e

import (
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// Figures of the flood: a server limited to floodFiles open files,
// floodConns idle connections from one address.
const (
	floodFiles     = 1024
	floodConns     = 1500
	floodPerClient = 300
)

// TestConnectionFloodLeavesTheControlPlane opens more idle connections to
// the router than the server has file descriptors (run under prlimit),
// from 127.0.0.1, and checks that the API still answers, no instance
// turns unready, and a client from 127.0.0.2 is still served through
// the router. It reports the figures.
//
// With the default limits (no bound per address: on loopback every
// client shares one) the router makes room for a new client by closing
// an idle connection; with --router-max-conns-per-ip the flooding
// address is held to its share.
func TestConnectionFloodLeavesTheControlPlane(t *testing.T) {
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		t.Skip("no prlimit to lower the server's open files limit")
	}
	if !canDialFrom(t, "127.0.0.2") {
		t.Skip("127.0.0.2 is not a usable loopback address here")
	}
	wrap := []string{prlimit, "--nofile=" + strconv.Itoa(floodFiles) + ":" + strconv.Itoa(floodFiles), "--"}
	t.Run("default limits", func(t *testing.T) { floodServer(t, wrap) })
	t.Run("per-address limit", func(t *testing.T) {
		floodServer(t, wrap, "--router-max-conns-per-ip", strconv.Itoa(floodPerClient))
	})
}

// floodServer runs the flood against a server started with args.
func floodServer(t *testing.T, wrap []string, args ...string) {
	addr := freeAddr(t)
	srv := spawnServerWrapped(t, t.TempDir(), wrap, append([]string{"--api", addr}, args...)...)
	srv.addr, srv.url = addr, "http://"+addr
	srv.waitHealthy(addr)
	a := &zdApp{srv: srv, dir: specDir(t)}
	a.file = a.write("v1", "", "20s")
	a.srv.mustCLI("apply", "-f", a.file, "--wait", "--timeout", "30s")
	a.srv.waitConverged(10*time.Second, map[string]int{"shop": 3})
	a.waitServes("v1", 5*time.Second)

	conns, opened := flood(t, srv.router, floodConns)
	defer closeAll(conns)
	time.Sleep(time.Second) // the server accepts (and refuses) the backlog, health checks run
	refused := countClosed(conns)
	t.Logf("flood: %d of %d connections opened from 127.0.0.1, %d of them closed by the server (refused, or reclaimed idle), %d held idle",
		opened, floodConns, refused, opened-refused)

	lat := apiLatencies(t, srv, 20)
	t.Logf("API during the flood: GET /v1/services x%d: median %s, max %s", len(lat), lat[len(lat)/2], lat[len(lat)-1])
	checkStaysReady(t, srv, 3*time.Second)
	code, err := getFrom("127.0.0.2", srv.router)
	if err != nil || code != http.StatusOK {
		t.Errorf("a client from 127.0.0.2 through the router during the flood: %d, %v; want 200", code, err)
	}
}

// canDialFrom reports whether a connection can be made from ip.
func canDialFrom(t *testing.T, ip string) bool {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: time.Second}
	c, err := d.Dial("tcp", ln.Addr().String())
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// flood opens n idle connections to addr (sending nothing), and returns
// them with how many opened.
func flood(t *testing.T, addr string, n int) ([]net.Conn, int) {
	t.Helper()
	var conns []net.Conn
	d := net.Dialer{Timeout: 2 * time.Second}
	for range n {
		c, err := d.Dial("tcp", addr)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue // the backlog is full: the kernel drops the SYN
			}
			if errors.Is(err, os.ErrDeadlineExceeded) {
				continue
			}
			t.Logf("dial %d: %v", len(conns), err)
			continue
		}
		conns = append(conns, c)
	}
	return conns, len(conns)
}

// countClosed counts the connections the server closed (a read ends at
// once, with EOF or a reset).
func countClosed(conns []net.Conn) int {
	n := 0
	for _, c := range conns {
		_ = c.SetReadDeadline(time.Now().Add(time.Millisecond))
		var b [1]byte
		_, err := c.Read(b[:])
		var ne net.Error
		if !(errors.As(err, &ne) && ne.Timeout()) {
			n++
		}
	}
	return n
}

func closeAll(conns []net.Conn) {
	for _, c := range conns {
		c.Close()
	}
}

// apiLatencies times n GET /v1/services, sorted; a failure fails t.
func apiLatencies(t *testing.T, srv *server, n int) []time.Duration {
	t.Helper()
	var out []time.Duration
	for range n {
		start := time.Now()
		code, body, err := httpDo("GET", srv.url+"/v1/services", srv.token, nil)
		if err != nil || code != http.StatusOK {
			t.Errorf("GET /v1/services during the flood: %d %v %.200s", code, err, body)
			out = append(out, time.Since(start))
			continue
		}
		out = append(out, time.Since(start))
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// checkStaysReady watches shop's instances for d: every one must stay
// ready (the health checks go on).
func checkStaysReady(t *testing.T, srv *server, d time.Duration) {
	t.Helper()
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		var svcs []api.Service
		if err := srv.getJSON("/v1/services", &svcs); err != nil {
			t.Errorf("services during the flood: %v", err)
			return
		}
		svc, _ := find(svcs, "shop")
		if i := slices.IndexFunc(svc.Instances, func(in api.Instance) bool { return !in.Ready }); i >= 0 || svc.Ready != 3 {
			t.Errorf("during the flood shop has %d ready instances: %s", svc.Ready, describe(svc))
			return
		}
	}
}

// getFrom sends GET / for the shop through the router from local
// address ip, on a new connection.
func getFrom(ip, router string) (int, error) {
	tr := &http.Transport{DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 2 * time.Second}).DialContext}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	req, err := http.NewRequest("GET", "http://"+router+"/", nil)
	if err != nil {
		return 0, err
	}
	req.Host = zdHost
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
