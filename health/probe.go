package health

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"time"

	"github.com/slipway-dev/slipway/spec"
)

// Target is an instance to check.
type Target struct {
	ID   string
	Port int
	// H2C says the instance speaks HTTP/2 without TLS (its revision's
	// route.protocol: h2c): its http checks go over h2c with prior
	// knowledge, as the router's requests do, since such an instance
	// may refuse HTTP/1.1.
	H2C bool
	// Dir is the working directory for exec checks.
	Dir string
	// Env is the environment for exec checks.
	Env []string
	// Exec, when set, runs exec checks (as the instance runs, through
	// its platform) instead of a process of the server's own with Dir
	// and Env.
	Exec func(ctx context.Context, argv []string) ([]byte, error)
}

// Prober runs one check against a target. It is safe for concurrent use.
type Prober struct {
	client *http.Client // HTTP/1.1
	h2c    *http.Client // HTTP/2 with prior knowledge, for Target.H2C
}

// NewProber returns a Prober with its own HTTP clients (no keep-alive:
// each check is a fresh connection, as a new client's would be; over
// h2c too, so that a check sees the listener as a new client would).
func NewProber() *Prober {
	tr := &http.Transport{DisableKeepAlives: true, Proxy: nil}
	var h2 http.Protocols
	h2.SetUnencryptedHTTP2(true) // and not HTTP1: http:// URLs go over h2c
	h2tr := &http.Transport{DisableKeepAlives: true, Proxy: nil, Protocols: &h2}
	return &Prober{
		client: &http.Client{Transport: tr, CheckRedirect: noRedirect},
		h2c:    &http.Client{Transport: h2tr, CheckRedirect: noRedirect},
	}
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Probe runs p once against t within p.Timeout.
func (pr *Prober) Probe(ctx context.Context, p spec.Probe, t Target) Result {
	timeout := p.Timeout.Duration
	if timeout <= 0 {
		timeout = time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	switch {
	case p.HTTP != "":
		return pr.httpGet(ctx, p.HTTP, t)
	case len(p.Exec) > 0:
		return execCheck(ctx, p.Exec, t)
	default:
		return tcpDial(ctx, t)
	}
}

func (pr *Prober) httpGet(ctx context.Context, path string, t Target) Result {
	url := "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(t.Port)) + path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return Result{Detail: err.Error()}
	}
	req.Header.Set("User-Agent", "slipway-health")
	client := pr.client
	if t.H2C {
		client = pr.h2c
	}
	resp, err := client.Do(req)
	if err != nil {
		return Result{Detail: fmt.Sprintf("GET %s: %s", path, shortError(err))}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	ok := resp.StatusCode >= 200 && resp.StatusCode < 400
	return Result{OK: ok, Detail: fmt.Sprintf("GET %s -> %d", path, resp.StatusCode)}
}

func tcpDial(ctx context.Context, t Target) Result {
	var d net.Dialer
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(t.Port))
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return Result{Detail: "tcp " + addr + ": " + shortError(err)}
	}
	c.Close()
	return Result{OK: true, Detail: "tcp " + addr + " open"}
}

func execCheck(ctx context.Context, argv []string, t Target) Result {
	var out []byte
	var err error
	if t.Exec != nil {
		out, err = t.Exec(ctx, argv)
	} else {
		cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
		cmd.Dir, cmd.Env = t.Dir, t.Env
		out, err = cmd.CombinedOutput()
	}
	if err != nil {
		return Result{Detail: fmt.Sprintf("exec %s: %v: %.200s", argv[0], err, out)}
	}
	return Result{OK: true, Detail: "exec " + argv[0] + ": exit 0"}
}

// shortError drops the URL noise Go's errors carry, keeping the cause.
func shortError(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err.Error()
	}
	return err.Error()
}
