package main

import (
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/internal/gctune"
	"github.com/slipway-dev/slipway/server"
)

// newServerCmd is `slipway server`: the API, store, controllers and
// local platform in one process.
func newServerCmd() *cobra.Command {
	cfg := server.Default()
	var level string
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Run the Slipway server (API, controllers, local platform)",
		Long: "Runs the Slipway server in the foreground. Instances it starts keep running\n" +
			"when it stops, and a server started again over the same --data adopts them.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			token, err := adminToken(cmd)
			if err != nil {
				return err
			}
			cfg.Token = token
			if keys := os.Getenv("SLIPWAY_FLAG_KEYS"); keys != "" && !cmd.Flags().Changed("flag-key") {
				cfg.FlagKeys = strings.Split(keys, ",")
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
	f.StringVar(&cfg.DataDir, "data", cfg.DataDir, "directory for the database, artifacts and instances")
	f.StringVar(&cfg.APIAddr, "api", cfg.APIAddr, "address of the HTTP API (every request but the health check takes a token; --token, --token-file or SLIPWAY_TOKEN names the admin one, else DATA/admin.token holds it)")
	f.StringVar(&cfg.Socket, "socket", "", "the API's Unix socket, owner-only: its peers' uid is their credential (default: DATA/slipway.sock, or /tmp/slipway-HASH.sock when that path is too long for a socket)")
	f.StringVar(&cfg.SocketGroup, "socket-group", "", "a group whose members may use the socket as admins (mode 0660; as the docker group, it is as good as the server's user)")
	f.Float64Var(&cfg.APIRate, "api-rate", cfg.APIRate, "API requests a second each token or socket user may make on average (0: no limit)")
	f.IntVar(&cfg.APIBurst, "api-burst", cfg.APIBurst, "API requests each token or socket user may make at once")
	f.Float64Var(&cfg.OFREPRate, "ofrep-rate", cfg.OFREPRate, "flag evaluations a second each key may make on average (0: no limit)")
	f.IntVar(&cfg.OFREPBurst, "ofrep-burst", cfg.OFREPBurst, "flag evaluations each key may make at once")
	f.StringSliceVar(&cfg.OFREPOrigins, "ofrep-cors-origin", nil, "a browser origin (https://app.example.com) that may evaluate flags over OFREP across origins (repeat for several)")
	f.StringVar(&cfg.RouterAddr, "router", cfg.RouterAddr, "address of the traffic router")
	f.StringSliceVar(&cfg.FlagKeys, "flag-key", nil, "an evaluation key OFREP clients may use (repeat for several; env SLIPWAY_FLAG_KEYS, comma-separated); OFREP also takes any API token, and instances get their environment's key in SLIPWAY_FLAG_KEY)")
	f.StringVar(&cfg.PrometheusURL, "prometheus", cfg.PrometheusURL, "base URL of the Prometheus that canary metrics of provider prometheus query")
	f.StringVar(&level, "log-level", "info", "debug, info, warn or error")
	return cmd
}

// adminToken is the admin token's value the command line names: --token
// (or SLIPWAY_TOKEN; it shows in ps), else --token-file's content, else
// "" (the server keeps one in DATA/admin.token).
func adminToken(cmd *cobra.Command) (string, error) {
	if f := cmd.Flags().Lookup("token"); f != nil && f.Value.String() != "" {
		return f.Value.String(), nil
	}
	f := cmd.Flags().Lookup("token-file")
	if f == nil || f.Value.String() == "" {
		return "", nil
	}
	b, err := os.ReadFile(f.Value.String())
	if err != nil {
		return "", fmt.Errorf("--token-file: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

func newLogger(level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l})), nil
}
