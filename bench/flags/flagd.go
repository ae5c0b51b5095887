package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/bench/flags/flagspec"
	"github.com/slipway-dev/slipway/bench/internal/benchkit"
)

// flagdBuildTimeout bounds `go install` of flagd.
const flagdBuildTimeout = 5 * time.Minute

// flagdDefinition is the benchmark flag in flagd's JSON flag format:
// the same two rules (JSONLogic `if`, flagd's `ends_with`) and the same
// 25/75 split (flagd's `fractional`, bucketed on the targeting key), the
// same variants and default.
const flagdDefinition = `{
  "flags": {
    "` + flagspec.BenchKey + `": {
      "state": "ENABLED",
      "variants": {"on": true, "off": false},
      "defaultVariant": "off",
      "targeting": {
        "if": [
          {"and": [{"==": [{"var": "country"}, "NL"]}, {"in": [{"var": "plan"}, ["pro", "team"]]}]}, "on",
          {"ends_with": [{"var": "email"}, "@shop.example"]}, "on",
          {"fractional": [["on", 25], ["off", 75]]}
        ]
      }
    }
  }
}
`

// peer is flagd as the peer of a run: a binary, or why there is none.
type peer struct {
	bin     string
	version string // what it says it is, or what was asked for
	missing string // why it is not measured; "" when bin is set
}

// prepareFlagd returns the flagd binary given with -flagd, or builds
// module (`go install`, through the Go module proxy) into the
// workspace. When it cannot, the peer says why, with the go command's
// own words.
func prepareFlagd(ctx context.Context, cfg config, ws *benchkit.Workspace) peer {
	if cfg.flagdBin != "" {
		return peer{bin: cfg.flagdBin, version: benchkit.ToolVersion(ctx, cfg.flagdBin, "version")}
	}
	if cfg.flagdModule == "" {
		return peer{version: "none", missing: "not asked for (-flagd-module \"\")"}
	}
	ctx, cancel := context.WithTimeout(ctx, flagdBuildTimeout)
	defer cancel()
	gobin := ws.Path("flagd-bin")
	cmd := exec.CommandContext(ctx, "go", "install", cfg.flagdModule)
	cmd.Dir = ws.Path("") // outside the slipway module: its go.mod has no say
	cmd.Env = append(os.Environ(), "GOBIN="+gobin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return peer{version: cfg.flagdModule, missing: fmt.Sprintf("`go install %s` failed (%v): %s",
			cfg.flagdModule, err, strings.Join(strings.Fields(string(out)), " "))}
	}
	bin := filepath.Join(gobin, "flagd")
	return peer{bin: bin, version: cfg.flagdModule + ", " + benchkit.ToolVersion(ctx, bin, "version")}
}

// flagd is a running flagd serving flagdDefinition, OFREP on ofrepAddr.
type flagd struct {
	proc      *benchkit.Child
	ofrepAddr string
}

// startFlagd writes the definition into dir and starts flagd on free
// loopback ports (gRPC evaluation, OFREP, management, sync), then waits
// until OFREP evaluates the benchmark flag.
func startFlagd(ctx context.Context, bin, dir string) (*flagd, error) {
	file := filepath.Join(dir, "flagd-flags.json")
	if err := os.WriteFile(file, []byte(flagdDefinition), 0o644); err != nil {
		return nil, fmt.Errorf("write flagd's flags: %w", err)
	}
	var ports [4]string
	for i := range ports {
		addr, err := benchkit.FreeAddr()
		if err != nil {
			return nil, err
		}
		ports[i] = addr[strings.LastIndexByte(addr, ':')+1:]
	}
	cmd := exec.Command(bin, "start", "--uri", "file:"+file, "--port", ports[0], "--ofrep-port", ports[1],
		"--management-port", ports[2], "--sync-port", ports[3])
	proc, err := benchkit.StartChild("flagd", cmd)
	if err != nil {
		return nil, err
	}
	f := &flagd{proc: proc, ofrepAddr: "127.0.0.1:" + ports[1]}
	if err := proc.WaitListening(ctx, f.ofrepAddr, benchkit.HealthyTimeout); err != nil {
		return nil, errors.Join(err, f.Close())
	}
	_, err = benchkit.Poll(ctx, "flagd to evaluate "+flagspec.BenchKey, benchkit.HealthyTimeout, 20*time.Millisecond, func(ctx context.Context) (bool, string, error) {
		if _, err := checkSingle(ctx, "http://"+f.ofrepAddr, flagspec.BenchKey); err != nil {
			return false, err.Error(), nil
		}
		return true, "", nil
	})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("%w\nflagd log:\n%s", err, proc.Tail(20)), f.Close())
	}
	return f, nil
}

// Close stops flagd.
func (f *flagd) Close() error { return f.proc.Stop(benchkit.StopGrace) }
