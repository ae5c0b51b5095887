package front_test

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"net/http"
	"testing"

	"github.com/slipway-dev/slipway/router"
	"github.com/slipway-dev/slipway/router/front"
)

// BenchmarkFastPathFront measures a fast-path request served by the
// front: a client on one keep-alive loopback connection writes a GET and
// reads the answer, which the router fetched from an instance that
// allocates nothing. allocs/op are the front's and the router's (the
// client allocates nothing either); ns/op include four loopback
// syscalls each way.
//
//	go test -run '^$' -bench FastPathFront -benchmem ./router/front/
func BenchmarkFastPathFront(b *testing.B) {
	rt := router.New(router.Config{})
	defer rt.Close()
	rt.Update([]router.Route{{Service: "s", Backends: []router.Backend{cannedBackend(b, cannedAnswer)}}})
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

// cannedBackend is an HTTP/1.1 instance that answers every request on a
// connection with the same bytes and allocates nothing per request. It
// reads a request up to its blank line (the benchmark sends no bodies).
func cannedBackend(b *testing.B, answer string) router.Backend {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serveCanned(c, []byte(answer))
		}
	}()
	return router.Backend{ID: "canned", Revision: 1, Addr: ln.Addr().String()}
}

func serveCanned(c net.Conn, answer []byte) {
	defer c.Close()
	br := bufio.NewReader(c)
	for {
		for {
			line, err := br.ReadSlice('\n')
			if err != nil {
				return
			}
			if len(bytes.TrimRight(line, "\r\n")) == 0 {
				break
			}
		}
		if _, err := c.Write(answer); err != nil {
			return
		}
	}
}

// cannedAnswer is the bench/router backend's answer: 100 bytes, keep-alive.
const cannedAnswer = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\nDate: Mon, 02 Jan 2006 15:04:05 GMT\r\n\r\n" +
	"hello from the bench/router backend; this body is padded to exactly one hundred bytes..............\n"
