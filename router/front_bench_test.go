package router

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"net/http"
	"testing"

	"github.com/slipway-dev/slipway/router/front"
)

// BenchmarkFastPathFront measures a fast-path request served by the
// front: a client on one keep-alive loopback connection writes a GET and
// reads the answer, which the router fetched from an instance that
// allocates nothing. allocs/op are the front's and the router's (the
// client allocates nothing either); ns/op include four loopback
// syscalls each way.
//
//	go test -run '^$' -bench FastPathFront -benchmem ./router/
func BenchmarkFastPathFront(b *testing.B) {
	rt := New(Config{})
	defer rt.Close()
	rt.Update([]Route{{Service: "s", Backends: []Backend{cannedBackend(b, cannedAnswer)}}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	f := front.New(&http.Server{Handler: rt})
	go func() { _ = f.Serve(ln) }()
	defer f.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	req := []byte("GET /orders/1?x=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Write(req); err != nil {
			b.Fatal(err)
		}
		if err := readAnswer(br); err != nil {
			b.Fatal(err)
		}
	}
}

// readAnswer reads a 200 with a Content-Length, allocating nothing.
func readAnswer(br *bufio.Reader) error {
	status, err := br.ReadSlice('\n')
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(status, []byte("HTTP/1.1 200 ")) {
		return errors.New("not a 200")
	}
	length := -1
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(line) <= 2 {
			break
		}
		if v, ok := bytes.CutPrefix(line, []byte("Content-Length: ")); ok {
			length = 0
			for _, d := range bytes.TrimSpace(v) {
				length = length*10 + int(d-'0')
			}
		}
	}
	if length < 0 {
		return errors.New("no Content-Length")
	}
	_, err = br.Discard(length)
	return err
}
