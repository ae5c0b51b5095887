package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/slipway-dev/slipway/bench/internal/benchkit"
)

// tlsResults are the TLS table's rows, nginx's, the router's and the
// router's of -base (its name "" without) for each kind of load.
type tlsResults struct {
	keepAlive, handshakes, h2 [3]result
}

// tlsFiles writes an ECDSA P-256 certificate for localhost, and its
// key, into the workspace: both proxies serve the same one.
func (b *bench) tlsFiles() (cert, key string, err error) {
	dir := b.ws.Path("tls")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", err
	}
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		return "", "", err
	}
	kder, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		return "", "", err
	}
	cert, key = filepath.Join(dir, "localhost.pem"), filepath.Join(dir, "localhost.key")
	if err := os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return "", "", err
	}
	return cert, key, os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
}

// measureTLS measures nginx and the router over TLS with the same
// certificate: keep-alive (wrk), a new handshake per request (wrk,
// Connection: close) and HTTP/2 (h2load, when installed).
func (b *bench) measureTLS(ctx context.Context) (res tlsResults, err error) {
	cert, key, err := b.tlsFiles()
	if err != nil {
		return res, err
	}
	plain, tlsAddr, err := freeAddrs()
	if err != nil {
		return res, err
	}
	dir := b.ws.Path("nginx-tls")
	ng, err := startNginxTLS(b.tools.nginx, dir, plain, tlsAddr, b.upstream, cert, key, "1")
	if err != nil {
		return res, err
	}
	if err := ng.WaitListening(ctx, tlsAddr, startTimeout); err != nil {
		return res, errors.Join(fmt.Errorf("%w\nnginx error log:\n%s", err, nginxLog(dir)), ng.Stop(stopTimeout))
	}
	err = b.tlsLoads(ctx, "nginx", tlsAddr, ng, 0, &res)
	if err = errors.Join(err, ng.Stop(stopTimeout)); err != nil {
		return res, err
	}
	if err := b.tlsRouter(ctx, "slipway router", b.ws.Path("routerproc"), cert, key, 1, &res); err != nil {
		return res, err
	}
	if rev := b.cfg.base; rev != "" {
		return res, b.tlsRouter(ctx, "router @"+rev, filepath.Join(b.ws.Path("base"), "routerproc"), cert, key, 2, &res)
	}
	return res, nil
}

// tlsRouter measures the router built at bin over TLS, into column i
// of res.
func (b *bench) tlsRouter(ctx context.Context, name, bin, cert, key string, i int, res *tlsResults) (err error) {
	plain, tlsAddr, err := freeAddrs()
	if err != nil {
		return err
	}
	rp, err := benchkit.StartChild(name+" TLS", exec.Command(bin,
		"-listen", plain, "-backend", b.upstream, "-tls-listen", tlsAddr, "-cert", cert, "-key", key))
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, rp.Stop(stopTimeout)) }()
	if err := rp.WaitListening(ctx, tlsAddr, startTimeout); err != nil {
		return err
	}
	return b.tlsLoads(ctx, name, tlsAddr, rp, i, res)
}

// tlsLoads runs the three loads against a proxy's TLS address, into
// column i of res.
func (b *bench) tlsLoads(ctx context.Context, name, addr string, proxy *benchkit.Child, i int, res *tlsResults) error {
	url := "https://localhost:" + port(addr) + "/"
	var err error
	res.keepAlive[i], err = b.measureWith(ctx, name+" TLS keep-alive", proxy, nil, func(ctx context.Context, d time.Duration) (load, error) {
		return runWrk(ctx, b.tools.wrk, url, b.cfg, d)
	})
	if err != nil {
		return err
	}
	res.handshakes[i], err = b.measureWith(ctx, name+" TLS new handshake per request", proxy, nil, func(ctx context.Context, d time.Duration) (load, error) {
		return runWrk(ctx, b.tools.wrk, url, b.cfg, d, "-H", "Connection: close")
	})
	if err != nil || b.tools.h2load == "" {
		return err
	}
	res.h2[i], err = b.measureWith(ctx, name+" HTTP/2 (h2load)", proxy, nil, func(ctx context.Context, d time.Duration) (load, error) {
		return runH2load(ctx, b.tools.h2load, url, b.cfg, d)
	})
	return err
}

func freeAddrs() (string, string, error) {
	a, err := benchkit.FreeAddr()
	if err != nil {
		return "", "", err
	}
	b, err := benchkit.FreeAddr()
	return a, b, err
}

func port(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}

// runH2load runs h2load against url for d: -c connections, 10 streams
// each, -t threads.
func runH2load(ctx context.Context, h2load, url string, cfg config, d time.Duration) (load, error) {
	ctx, cancel := context.WithTimeout(ctx, d+30*time.Second)
	defer cancel()
	args := []string{"-t", strconv.Itoa(cfg.threads), "-c", strconv.Itoa(cfg.connections), "-m", "10",
		"-D", strconv.Itoa(int(d.Round(time.Second).Seconds())), url}
	out, err := exec.CommandContext(ctx, h2load, args...).CombinedOutput()
	if err != nil {
		return load{}, fmt.Errorf("h2load %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	l, err := parseH2load(string(out))
	if err != nil {
		return load{}, fmt.Errorf("h2load %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return l, nil
}

// parseH2load reads "finished in 10.00s, 51234.50 req/s, ..." and
// "requests: N total, N started, N done, N succeeded, N failed, ...";
// h2load gives no percentiles, so p50 and p99 stay 0.
func parseH2load(out string) (load, error) {
	var l load
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(strings.ReplaceAll(sc.Text(), ",", ""))
		switch {
		case len(f) >= 5 && f[0] == "finished" && f[4] == "req/s":
			l.rps, _ = strconv.ParseFloat(f[3], 64)
		case len(f) >= 10 && f[0] == "requests:":
			l.requests, _ = strconv.ParseInt(f[7], 10, 64)
			if failed, _ := strconv.ParseInt(f[9], 10, 64); failed > 0 {
				l.non2xx = failed
			}
		}
	}
	if l.rps == 0 || l.requests == 0 {
		return l, errors.New("parse h2load output: no req/s or requests found")
	}
	return l, nil
}

// printTLSTable prints the TLS rows, the router's against nginx's.
func printTLSTable(w io.Writer, cfg config, res tlsResults) {
	fmt.Fprintf(w, "\nTLS 1.3, the same ECDSA P-256 certificate; wrk -t%d -c%d -d%s; h2load -t%d -c%d -m10 -D%s (no percentiles)\n\n",
		cfg.threads, cfg.connections, cfg.duration, cfg.threads, cfg.connections, cfg.duration)
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	fmt.Fprintln(tw, "target\treq/s\tp50\tp99\tproxy CPU/req\tvs nginx")
	for _, pair := range [][3]result{res.keepAlive, res.handshakes, res.h2} {
		if pair[0].name == "" {
			continue
		}
		for i, row := range pair {
			if row.name == "" {
				continue
			}
			vs := "-"
			if i > 0 && pair[0].load.rps > 0 {
				vs = fmt.Sprintf("%.2f x req/s", row.load.rps/pair[0].load.rps)
				if pair[0].load.p99 > 0 {
					vs += fmt.Sprintf(", %.2f x p99", float64(row.load.p99)/float64(pair[0].load.p99))
				}
				vs += fmt.Sprintf(", %.2f x CPU/req", cpuPerReq(row)/cpuPerReq(pair[0]))
			}
			fmt.Fprintf(tw, "%s\t%.0f\t%s\t%s\t%s\t%s\n", row.name, row.load.rps, ms(row.load.p50), ms(row.load.p99),
				perRequest(row.proxyCPU, row.load.requests), vs)
		}
	}
	tw.Flush()
	fmt.Fprintln(w, "A new handshake per request: wrk with Connection: close, so req/s is new TLS connections/s.")
}

func cpuPerReq(r result) float64 {
	if r.load.requests == 0 {
		return 0
	}
	return float64(r.proxyCPU) / float64(r.load.requests)
}
