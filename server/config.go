package server

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"time"

	"github.com/slipway-dev/slipway/client"
	"github.com/slipway-dev/slipway/httpapi"
	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/spec"
)

// Config is a server's settings. Start from Default() and override.
type Config struct {
	// DataDir holds the database, artifacts and instance directories.
	DataDir string
	// RuntimeDir holds what a host restart clears (hostrestart.go); empty
	// is DefaultRuntimeDir(DataDir).
	RuntimeDir string
	// ContainerRuntime is the OCI runtime that runs services with an
	// image (a name looked up in PATH, or a path); empty picks crun on a
	// cgroup v2 host when installed, else runc.
	ContainerRuntime string
	// APIAddr is where the HTTP API listens.
	APIAddr string
	// RouterAddr is where the traffic router listens (reserved).
	RouterAddr string
	// RouterTLSAddr, when set, is where the default environment's router
	// serves TLS (its certificates as the applied spec's tls: section
	// and routes say; tls.go).
	RouterTLSAddr string
	// RouterAccessLog writes every environment's access log (one JSON
	// line per request, DATA/access/ENV.log) and starts a W3C trace for
	// requests that carry none.
	RouterAccessLog bool
	// RouterMaxConns bounds the client connections the routers hold
	// open at once (over every environment); past it a new connection
	// is closed at once. 0 derives it from the open files limit (half
	// of what is left past a reserve for the API, the store and health
	// checks); negative means no bound.
	RouterMaxConns int
	// RouterMaxConnsPerIP bounds one client address's connections; 0
	// (the default) means no bound: on loopback every client shares one
	// address. Set it on a router that faces the network.
	RouterMaxConnsPerIP int
	// RouterTrustedProxies are the addresses or CIDRs of proxies in front
	// of the routers (a load balancer) whose forwarding headers
	// (Forwarded, X-Forwarded-*) the routers keep and add to; any other
	// client's are dropped.
	RouterTrustedProxies []string
	// Token, when set, is the admin token's value (else the server keeps
	// one in DATA/admin.token, made at first start). The TCP API takes a
	// token on every request but the health check. It must be set when
	// APIAddr is not a loopback address.
	Token string
	// Socket is the API's Unix socket (owner-only; its peers' uid decides
	// what they may do). Empty: DATA/slipway.sock, or, when that is too
	// long for a socket address, one in a private temporary directory
	// named in DATA/socket.path.
	Socket string
	// SystemSocket is where a server run as root also listens, unless
	// Socket is set (client.SystemSocket by default; empty: nowhere, as
	// --no-system-socket says). Its folder must be root's and writable by
	// root alone. Tests point it elsewhere.
	SystemSocket string
	// APIRate and APIBurst limit each principal's API requests (a
	// second, at once); OFREPRate and OFREPBurst each key's evaluations.
	// A rate of 0 is no limit.
	APIRate, OFREPRate   float64
	APIBurst, OFREPBurst int
	// SocketGroup, when set, names a group whose members may use the
	// socket as admins (mode 0660), as the docker group does.
	SocketGroup string
	// OFREPOrigins are the browser origins (https://app.example.com)
	// that may evaluate flags over OFREP across origins (CORS).
	OFREPOrigins []string
	// Resync is how often every service is reconciled even if nothing
	// was seen to change (this is how crashed processes are noticed).
	Resync time.Duration
	// Environment is the name instances see in SLIPWAY_ENVIRONMENT.
	Environment string
	// FlagKeys are evaluation keys OFREP clients may send (Authorization:
	// Bearer or X-API-Key); they can evaluate flags and nothing else.
	// OFREP takes any token the server knows, these included.
	FlagKeys []string
	// PrometheusURL is the Prometheus that canary metrics of provider
	// prometheus query (its HTTP API's base URL).
	PrometheusURL string
	// MaxInstancesPerService is the most instances one service may ask
	// for (0: spec.DefaultMaxInstancesPerService).
	MaxInstancesPerService int
	// MaxInstances is the most instances all services of every
	// environment may ask for together (0: httpapi.DefaultMaxInstances).
	MaxInstances int
	// AllowPublicRouter lets a spec put an environment's router on any
	// address; without it, only loopback and AllowedRouters.
	AllowPublicRouter bool
	// AllowedRouters are non-loopback router addresses (host:port, or a
	// host) a spec may use for an environment's router.
	AllowedRouters []string
	// SecretsKeyFile is the age identity file that seals secrets (issue
	// 17); empty: DATA/secrets.key, made 0600 at first start. A key the
	// operator gives is never written.
	SecretsKeyFile string
	// PublicURL is the server's API as approvers' browsers reach it
	// (https://slipway.example.com): notifications of a promotion waiting
	// for approval carry signed one-time approve and reject links on it
	// (package notify). Empty: no links.
	PublicURL string
	// UnhealthyAfter is how long a service may have fewer ready
	// instances than desired (or one failing readiness) before the
	// service.unhealthy event is written; 0: never.
	UnhealthyAfter time.Duration
	// DiskWarnFree is the free share of the data folder's filesystem, in
	// percent, below which the server.disk.low event is written (checked
	// every 30s); 0: never.
	DiskWarnFree float64
	// StopOnExit stops every instance when Run returns (the demo's
	// choice; a real server leaves them running to be adopted).
	StopOnExit bool
	Logger     *slog.Logger
	Clock      clock.Clock
}

// Default returns the settings a newcomer gets: data in ./.slipway, API
// on loopback port 7400, router on loopback port 7480.
func Default() Config {
	return Config{
		DataDir:                ".slipway",
		APIAddr:                "127.0.0.1:7400",
		RouterAddr:             "127.0.0.1:7480",
		Resync:                 time.Second,
		UnhealthyAfter:         5 * time.Minute,
		DiskWarnFree:           10,
		APIRate:                50,
		APIBurst:               200,
		OFREPRate:              2000,
		OFREPBurst:             4000,
		MaxInstancesPerService: spec.DefaultMaxInstancesPerService,
		MaxInstances:           httpapi.DefaultMaxInstances,
		Environment:            "default",
		SystemSocket:           client.SystemSocket,
		PrometheusURL:          "http://127.0.0.1:9090",
		Logger:                 slog.Default(),
		Clock:                  clock.Real{},
	}
}

// Validate reports settings that cannot work.
func (c Config) Validate() error {
	if c.DataDir == "" {
		return fmt.Errorf("--data: must name a directory")
	}
	host, _, err := net.SplitHostPort(c.APIAddr)
	if err != nil {
		return fmt.Errorf("--api %q: want host:port (e.g. 127.0.0.1:7400): %w", c.APIAddr, err)
	}
	if !httpapi.LoopbackAddrHost(host) && c.Token == "" {
		return fmt.Errorf("--api %s is not a loopback address: set --token-file (or SLIPWAY_TOKEN) so that only holders of the token can use the API", c.APIAddr)
	}
	if c.MaxInstancesPerService < 0 || c.MaxInstances < 0 {
		return fmt.Errorf("--max-instances-per-service and --max-instances must be positive (0 for the default)")
	}
	if c.RouterMaxConnsPerIP < 0 {
		return fmt.Errorf("--router-max-conns-per-ip must be 0 (no bound) or positive, got %d", c.RouterMaxConnsPerIP)
	}
	if _, err := c.trustedProxies(); err != nil {
		return err
	}
	if c.Resync <= 0 {
		return fmt.Errorf("resync interval must be positive, got %s", c.Resync)
	}
	if c.UnhealthyAfter < 0 {
		return fmt.Errorf("--unhealthy-after must be a positive duration (5m) or 0 for never, got %s", c.UnhealthyAfter)
	}
	if c.DiskWarnFree < 0 || c.DiskWarnFree >= 100 {
		return fmt.Errorf("--disk-warn-free must be a percentage in [0, 100) (10: warn below 10%% free; 0: never), got %g", c.DiskWarnFree)
	}
	if u, err := url.Parse(c.PublicURL); c.PublicURL != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "") {
		return fmt.Errorf("--public-url %q: want the http(s) URL at which approvers' browsers reach this server's API, like https://slipway.example.com", c.PublicURL)
	}
	if u, err := url.Parse(c.PrometheusURL); c.PrometheusURL != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
		return fmt.Errorf("--prometheus %q: want the base URL of a Prometheus, like http://127.0.0.1:9090, or \"\" for none", c.PrometheusURL)
	}
	return nil
}

// trustedProxies parses RouterTrustedProxies: each a CIDR, or one
// address.
func (c Config) trustedProxies() ([]netip.Prefix, error) {
	var ps []netip.Prefix
	for _, v := range c.RouterTrustedProxies {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			a, aerr := netip.ParseAddr(v)
			if aerr != nil {
				return nil, fmt.Errorf("--router-trusted-proxy %q: want an IP address (10.0.0.7) or a CIDR (10.0.0.0/8)", v)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		ps = append(ps, p.Masked())
	}
	return ps, nil
}
