package server

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Config)
		error string
	}{
		{"defaults are valid", func(*Config) {}, ""},
		{"loopback needs no token", func(c *Config) { c.APIAddr = "[::1]:7400" }, ""},
		{"localhost needs no token", func(c *Config) { c.APIAddr = "localhost:7400" }, ""},
		{"all interfaces need a token", func(c *Config) { c.APIAddr = "0.0.0.0:7400" }, "--token"},
		{"all interfaces with a token", func(c *Config) { c.APIAddr, c.Token = "0.0.0.0:7400", "x" }, ""},
		{"bad address", func(c *Config) { c.APIAddr = "7400" }, "want host:port"},
		{"no data dir", func(c *Config) { c.DataDir = "" }, "--data"},
		{"no prometheus", func(c *Config) { c.PrometheusURL = "" }, ""},
		{"prometheus not a URL", func(c *Config) { c.PrometheusURL = "127.0.0.1:9090" }, "--prometheus"},
		{"prometheus over ftp", func(c *Config) { c.PrometheusURL = "ftp://p:9090" }, "--prometheus"},
		{"trusted proxies", func(c *Config) { c.RouterTrustedProxies = []string{"10.0.0.0/8", "192.0.2.7", "2001:db8::/32"} }, ""},
		{"a trusted proxy that is no address", func(c *Config) { c.RouterTrustedProxies = []string{"lb.internal"} }, `--router-trusted-proxy "lb.internal": want an IP address`},
		{"health and disk warnings off", func(c *Config) { c.UnhealthyAfter, c.DiskWarnFree = 0, 0 }, ""},
		{"negative unhealthy-after", func(c *Config) { c.UnhealthyAfter = -time.Second }, "--unhealthy-after"},
		{"disk warning at 100%", func(c *Config) { c.DiskWarnFree = 100 }, "--disk-warn-free must be a percentage in [0, 100)"},
		{"negative disk warning", func(c *Config) { c.DiskWarnFree = -1 }, "--disk-warn-free"},
		{"a trusted proxy with a port", func(c *Config) { c.RouterTrustedProxies = []string{"10.0.0.1:80"} }, "--router-trusted-proxy"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			tc.edit(&c)
			err := c.Validate()
			if tc.error == "" && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tc.error != "" && (err == nil || !strings.Contains(err.Error(), tc.error)) {
				t.Fatalf("error %v, want one mentioning %q", err, tc.error)
			}
		})
	}
}

func TestRunReportsATakenPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c := Default()
	c.DataDir, c.APIAddr = t.TempDir(), l.Addr().String()
	srv, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	err = srv.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "already in use") || !strings.Contains(err.Error(), l.Addr().String()) {
		t.Fatalf("Run on a taken port: %v", err)
	}
}

func TestTrustedProxies(t *testing.T) {
	c := Default()
	c.RouterTrustedProxies = []string{"10.1.2.3/8", "192.0.2.7", "::ffff:192.0.2.8"}
	got, err := c.trustedProxies()
	if err != nil {
		t.Fatal(err)
	}
	if s := fmt.Sprint(got); s != "[10.0.0.0/8 192.0.2.7/32 192.0.2.8/32]" {
		t.Fatalf("trusted proxies %s", s)
	}
}
