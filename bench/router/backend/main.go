// Command backend is the upstream of bench/router: an HTTP server that
// answers every request with the same 100-byte body, keep-alive, and does
// nothing else. It runs as its own process so that its CPU time is not
// counted as the proxy's.
//
//	backend -listen 127.0.0.1:PORT
//
// It stops on SIGTERM or SIGINT.
package main

import (
	"context"
	"flag"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/slipway-dev/slipway/bench/internal/benchkit"
)

func main() { benchkit.Main("backend", run) }

// body is what every request gets: 100 bytes, newline included.
var body = []byte("hello from the bench/router backend; this body is padded to exactly one hundred bytes..............\n")

func run(ctx context.Context, args []string, _, stderr io.Writer) error {
	fs := flag.NewFlagSet("backend", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:0", "address to serve on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	srv := &http.Server{Addr: *listen, Handler: http.HandlerFunc(answer), ReadHeaderTimeout: 10 * time.Second}
	return benchkit.Serve(ctx, srv)
}

func answer(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h["Content-Type"] = []string{"text/plain"}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	_, _ = w.Write(body)
}
