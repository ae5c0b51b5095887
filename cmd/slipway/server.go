package main

import (
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/cli"
	"github.com/slipway-dev/slipway/client"

	"github.com/slipway-dev/slipway/internal/gctune"
	"github.com/slipway-dev/slipway/server"
)

// newServerCmd is `slipway server`: the API, store, controllers and
// local platform in one process.
func newServerCmd() *cobra.Command {
	cfg := server.Default()
	var level string
	var noSystem bool // --no-system-socket
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Run the Slipway server (API, controllers, local platform)",
		Long: "Runs the Slipway server in the foreground. Instances it starts keep running\n" +
			"when it stops, and a server started again over the same --data adopts them.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f := cmd.Flags().Lookup("token"); f != nil { // the root's: --token-file, SLIPWAY_TOKEN or --token
				cfg.Token = f.Value.String()
			}
			keys, err := flagKeys(cmd)
			if err != nil {
				return err
			}
			cfg.FlagKeys = keys
			if noSystem {
				cfg.SystemSocket = ""
			}
			logger, err := newLogger(level)
			if err != nil {
				return err
			}
			cfg.Logger = logger
			percent, limit := gctune.Apply() // the router shares this process
			logger.Debug("garbage collector", "gogc", percent, "memlimit", limit)
			srv, err := server.New(cfg)
			if err != nil {
				return err
			}
			return srv.Run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.DataDir, "data", cfg.DataDir, "directory for the database, artifacts, images and instances")
	f.StringVar(&cfg.RuntimeDir, "runtime-dir", "", "directory a host restart clears (default: one under /run/slipway as root, else under $XDG_RUNTIME_DIR): when its marker is gone, the server starts every instance again in dependency order, as after a reboot")
	f.StringVar(&cfg.ContainerRuntime, "container-runtime", "", "the OCI runtime that runs services with an image: a name in PATH or a path (default: crun on a cgroup v2 host when installed, else runc)")
	f.StringVar(&cfg.APIAddr, "api", cfg.APIAddr, "address of the HTTP API (every request but the health check takes a token; --token, --token-file or SLIPWAY_TOKEN names the admin one, else DATA/admin.token holds it)")
	f.StringVar(&cfg.SecretsKeyFile, "secrets-key-file", "", "an age identity file (age-keygen) that seals the secrets the server stores; it must be 0600 (default: DATA/secrets.key, made at first start)")
	f.StringVar(&cfg.PublicURL, "public-url", "", "the URL at which approvers' browsers reach this server's API (https://slipway.example.com): notifications of a promotion waiting for approval then carry signed one-time approve and reject links (key: DATA/links.key, made 0600)")
	f.StringVar(&cfg.Socket, "socket", "", "the API's Unix socket, owner-only: its peers' uid is their credential (default: DATA/slipway.sock, or, when that path is too long for a socket, one in a private temporary directory that DATA/socket.path names; run as root, the server also listens on "+client.SystemSocket+" unless --socket is set)")
	f.BoolVar(&noSystem, "no-system-socket", false, "run as root, do not also listen on "+client.SystemSocket)
	f.StringVar(&cfg.SocketGroup, "socket-group", "", "a group whose members may use the socket as admins (mode 0660; as the docker group, it is as good as the server's user)")
	f.Float64Var(&cfg.APIRate, "api-rate", cfg.APIRate, "API requests a second each token or socket user may make on average (0: no limit)")
	f.IntVar(&cfg.APIBurst, "api-burst", cfg.APIBurst, "API requests each token or socket user may make at once")
	f.Float64Var(&cfg.OFREPRate, "ofrep-rate", cfg.OFREPRate, "flag evaluations a second each key may make on average (0: no limit)")
	f.IntVar(&cfg.OFREPBurst, "ofrep-burst", cfg.OFREPBurst, "flag evaluations each key may make at once")
	f.StringSliceVar(&cfg.OFREPOrigins, "ofrep-cors-origin", nil, "a browser origin (https://app.example.com) that may evaluate flags over OFREP across origins (repeat for several)")
	f.StringVar(&cfg.RouterAddr, "router", cfg.RouterAddr, "address of the traffic router")
	f.BoolVar(&cfg.RouterAccessLog, "router-access-log", false, "write each environment's access log (one JSON line per request) to DATA/access/ENV.log, rotated by size, and start a W3C trace (traceparent) for requests without one")
	f.StringVar(&cfg.RouterTLSAddr, "router-tls", "", "address of the default environment's TLS router (e.g. 0.0.0.0:443); certificates as the spec's tls: and routes say")
	f.StringSlice("flag-key", nil, "an evaluation key OFREP clients may use (repeat for several); visible to every user in ps, so prefer --flag-key-file or env SLIPWAY_FLAG_KEYS (comma-separated); without any, flags are served without a key on loopback only")
	f.String("flag-key-file", "", "file holding the evaluation keys OFREP clients may use, one a line")
	f.IntVar(&cfg.RouterMaxConns, "router-max-conns", cfg.RouterMaxConns, "client connections the routers hold open at once; past it a new one is closed (0: half of the open files limit left past a reserve for the API, the store and health checks; -1: no bound)")
	f.StringSliceVar(&cfg.RouterTrustedProxies, "router-trusted-proxy", nil, "an address or CIDR (10.0.0.0/8) of a proxy in front of the routers, such as a load balancer, whose Forwarded and X-Forwarded-* headers are kept and added to (repeat for several; any other client's are dropped)")
	f.IntVar(&cfg.RouterMaxConnsPerIP, "router-max-conns-per-ip", cfg.RouterMaxConnsPerIP, "client connections one address may hold open on the routers (0: no bound; on loopback every client shares an address)")
	f.DurationVar(&cfg.UnhealthyAfter, "unhealthy-after", cfg.UnhealthyAfter, "how long a service may have fewer ready instances than desired, or one failing readiness, before a service.unhealthy event is written (and notified; service.recovered when healthy again); 0: never")
	f.Float64Var(&cfg.DiskWarnFree, "disk-warn-free", cfg.DiskWarnFree, "percent of free space on the data folder's filesystem below which a server.disk.low event is written (and notified; checked every 30s, server.disk.recovered 2 points above it); 0: never")
	f.StringVar(&cfg.PrometheusURL, "prometheus", cfg.PrometheusURL, "base URL of the Prometheus that canary metrics of provider prometheus query")
	f.IntVar(&cfg.MaxInstancesPerService, "max-instances-per-service", cfg.MaxInstancesPerService, "the most instances one service may ask for; a spec asking for more is refused")
	f.IntVar(&cfg.MaxInstances, "max-instances", cfg.MaxInstances, "the most instances all services of every environment may ask for together")
	f.BoolVar(&cfg.AllowPublicRouter, "allow-public-router", false, "let a spec put an environment's router (environments.NAME.router) on a non-loopback address, such as 0.0.0.0:7481")
	f.StringSliceVar(&cfg.AllowedRouters, "allow-router", nil, "a non-loopback address (host:port, or a host) a spec may put an environment's router on (repeat for several)")
	f.StringVar(&level, "log-level", "info", "debug, info, warn or error")
	cmd.AddCommand(newInstallCmds()...)
	return cmd
}

func newLogger(level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l})), nil
}

// flagKeys settles the OFREP evaluation keys: --flag-key-file (one a
// line), else --flag-key (with a warning: other users see a command line
// in ps), else SLIPWAY_FLAG_KEYS (comma-separated).
// Warnings go to cmd's stderr.
func flagKeys(cmd *cobra.Command) ([]string, error) {
	flags := cmd.Flags()
	if file, _ := flags.GetString("flag-key-file"); file != "" {
		text, err := cli.ReadSecretFile(file)
		if err != nil {
			return nil, fmt.Errorf("--flag-key-file: %w", err)
		}
		return nonEmpty(strings.Split(text, "\n")), nil
	}
	if flags.Changed("flag-key") {
		cli.WarnSecretFlag(cmd.ErrOrStderr(), "--flag-key", "--flag-key-file or SLIPWAY_FLAG_KEYS")
		return flags.GetStringSlice("flag-key")
	}
	if keys := os.Getenv("SLIPWAY_FLAG_KEYS"); keys != "" {
		return nonEmpty(strings.Split(keys, ",")), nil
	}
	return nil, nil
}

// nonEmpty returns the trimmed strings of ss that are not empty.
func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
