package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/slipway-dev/slipway/bench/internal/benchkit"
)

// idleResult is the memory n idle keep-alive connections cost a proxy.
type idleResult struct {
	name          string
	before, after int64 // resident bytes (the proxy and its children)
	n             int
}

func (r idleResult) perConn() float64 { return float64(r.after-r.before) / float64(r.n) }

// measureIdle opens cfg.idle keep-alive connections to nginx, to the
// router, and to the router of -base when set, each answered once and
// then left idle, and reads how much their resident memory grew.
func (b *bench) measureIdle(ctx context.Context) ([]idleResult, error) {
	if err := raiseNoFile(); err != nil {
		return nil, err
	}
	listen, err := benchkit.FreeAddr()
	if err != nil {
		return nil, err
	}
	dir := b.ws.Path("nginx-idle")
	ng, err := startNginx(b.tools.nginx, dir, listen, b.upstream, "1")
	if err != nil {
		return nil, err
	}
	r, err := b.idleOn(ctx, "nginx", listen, ng)
	if err = errors.Join(err, ng.Stop(stopTimeout)); err != nil {
		return nil, fmt.Errorf("%w\nnginx error log:\n%s", err, nginxLog(dir))
	}
	out := []idleResult{r}
	routers := [][2]string{{"slipway router", b.ws.Path("routerproc")}}
	if rev := b.cfg.base; rev != "" {
		routers = append(routers, [2]string{"router @" + rev, filepath.Join(b.ws.Path("base"), "routerproc")})
	}
	for _, rt := range routers {
		if r, err = b.idleRouter(ctx, rt[0], rt[1]); err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

// idleRouter measures idle connections on the router built at bin.
func (b *bench) idleRouter(ctx context.Context, name, bin string) (idleResult, error) {
	listen, err := benchkit.FreeAddr()
	if err != nil {
		return idleResult{}, err
	}
	rp, err := benchkit.StartChild(name, exec.Command(bin, "-listen", listen, "-backend", b.upstream))
	if err != nil {
		return idleResult{}, err
	}
	r, err := b.idleOn(ctx, name, listen, rp)
	return r, errors.Join(err, rp.Stop(stopTimeout))
}

// idleOn holds cfg.idle connections to addr while it reads proxy's
// resident memory; they are closed before it returns.
func (b *bench) idleOn(ctx context.Context, name, addr string, proxy *benchkit.Child) (idleResult, error) {
	r := idleResult{name: name, n: b.cfg.idle}
	if err := proxy.WaitListening(ctx, addr, startTimeout); err != nil {
		return r, err
	}
	fmt.Fprintf(b.progress, "%s: %d idle keep-alive connections ...\n", name, b.cfg.idle)
	time.Sleep(500 * time.Millisecond)
	var err error
	if r.before, err = benchkit.TreeRSS(proxy.PID()); err != nil {
		return r, err
	}
	conns := make([]net.Conn, b.cfg.idle)
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	sem := make(chan struct{}, 64)
	for i := range conns {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			c, err := oneRequest(addr)
			conns[i] = c
			if err != nil {
				select {
				case errs <- err:
				default:
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return r, fmt.Errorf("%s: %w", name, err)
	}
	time.Sleep(time.Second) // idle, well within both proxies' keep-alive timeouts
	r.after, err = benchkit.TreeRSS(proxy.PID())
	return r, err
}

// oneRequest opens a connection to addr, sends one GET and reads its
// answer, leaving the connection open.
func oneRequest(addr string) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: bench\r\n\r\n"); err != nil {
		return c, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return c, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return c, err
}

// raiseNoFile raises this process's open files limit to its hard limit.
func raiseNoFile() error {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return err
	}
	l.Cur = l.Max
	return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
}

// printIdle prints the memory per idle connection, each router's
// against nginx's (the first).
func printIdle(w io.Writer, res []idleResult) {
	if len(res) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%d idle keep-alive connections (one request each, then idle): resident memory of the proxy\n", res[0].n)
	for _, r := range res {
		fmt.Fprintf(w, "  %-16s %6.1f MiB -> %6.1f MiB: %5.2f KiB per connection\n", r.name,
			float64(r.before)/(1<<20), float64(r.after)/(1<<20), r.perConn()/1024)
	}
	for _, r := range res[1:] {
		if res[0].perConn() > 0 {
			fmt.Fprintf(w, "  %s / nginx: %.2f x memory per connection\n", r.name, r.perConn()/res[0].perConn())
		}
	}
}
