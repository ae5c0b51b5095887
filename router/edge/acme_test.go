package edge

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/pebbletest"
)

// TestACMEIssues: pebble issues each host a certificate over the
// challenge offered, the router answers on the plain listener
// meanwhile, and a client verifying with pebble's root reaches each
// host over TLS, the backend seeing X-Forwarded-Proto: https.
func TestACMEIssues(t *testing.T) {
	for _, challenge := range []string{"http-01", "tls-alpn-01"} {
		t.Run(challenge, func(t *testing.T) {
			s := newStand(t)
			p := pebbletest.Start(t, s.httpPort, s.tport)
			s.start(t, Config{ACME: &ACME{Directory: p.Directory, CARoot: p.CAFile, Email: "ops@shop.example", Challenge: challenge}})
			hosts := []string{challenge + ".shop.example", "www." + challenge + ".shop.example"}
			if err := s.route(t, "shop", hosts, nil); err != nil {
				t.Fatal(err)
			}
			for _, h := range hosts {
				s.waitEvent(t, Obtained, h, false)
			}
			c := s.client(p.Root(t), nil, false)
			for _, h := range hosts {
				code, body, _ := get(t, c, fmt.Sprintf("https://%s:%d/", h, s.tport))
				if code != 200 || !strings.Contains(body, "host="+h) || !strings.Contains(body, "xfp=https") {
					t.Fatalf("%s: %d %s", h, code, body)
				}
			}
			code, body, _ := get(t, c, "http://"+hosts[0]+"/")
			if code != 200 || !strings.Contains(body, "xfp=http") {
				t.Fatalf("plain: %d %s", code, body)
			}
		})
	}
}

// TestACMERenewal: with a renewal window longer than a certificate's
// life, each check renews it and the new one is served; once pebble's
// validations cannot reach the router, a renewal fails with an event
// that says why, and the router keeps serving the last certificate.
func TestACMERenewal(t *testing.T) {
	s := newStand(t)
	p := pebbletest.Start(t, s.httpPort, s.tport)
	s.start(t, Config{ACME: &ACME{Directory: p.Directory, CARoot: p.CAFile, RenewalWindow: 1.5, RenewCheck: time.Second, Challenge: "http-01"}})
	// certmagic queues renewals by name, process-wide: a name of its own
	// keeps this test's renewals apart from the jobs other tests left.
	host := fmt.Sprintf("r%d.shop.example", time.Now().UnixNano())
	if err := s.route(t, "shop", []string{host}, nil); err != nil {
		t.Fatal(err)
	}
	s.waitEvent(t, Obtained, host, false)
	first := s.served(t, host)
	s.waitEvent(t, Obtained, host, true)
	var renewed = first
	for deadline := time.Now().Add(10 * time.Second); renewed.SerialNumber.Cmp(first.SerialNumber) == 0 && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
		renewed = s.served(t, host)
	}
	if renewed.SerialNumber.Cmp(first.SerialNumber) == 0 {
		t.Fatal("the renewed certificate is not served")
	}

	p.Misdirect(t, host)
	ev := s.waitEvent(t, Failed, host, true)
	if ev.Err == "" {
		t.Fatal("a failed renewal says nothing")
	}
	t.Logf("failed renewal: %s", ev.Err)
	c := s.client(p.Root(t), nil, false)
	if code, body, _ := get(t, c, fmt.Sprintf("https://%s:%d/", host, s.tport)); code != 200 || !strings.Contains(body, "xfp=https") {
		t.Fatalf("after a failed renewal: %d %s", code, body)
	}
}

// TestACMEUnreachableDirectory: a directory nobody answers is an error
// at Start that names it.
func TestACMEUnreachableDirectory(t *testing.T) {
	e, err := New(Config{PlainAddr: "127.0.0.1:1", TLSAddr: "127.0.0.1:2", Storage: t.TempDir(),
		ACME: &ACME{Directory: "https://" + pebbletest.FreeAddr(t) + "/dir"}})
	if err != nil {
		t.Fatal(err)
	}
	err = e.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), "cannot be reached") {
		t.Fatalf("Start: %v", err)
	}
	e.Close()
}
