package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// pipelineSpec is one service, order, in dev, staging (an acceptance
// script must pass against dev first) and prod (from staging: approval,
// then a bake; two instances, TIER=prod and a short progress deadline);
// %s adds environments.
const pipelineSpec = `app: shop
services:
  order:
    run: ["./bin/order", "--port", "${PORT}"]
    artifact: {path: ./bin/order}
    env: {VERSION: pipeline, TIER: test}
    instances: 1
    health:
      readiness: {http: /healthz, interval: 200ms, failureThreshold: 1}
    route: {path: /}
    stopGrace: 2s
    strategy:
      rolling: {maxSurge: 2, progressDeadline: 60s}
environments:
  dev: {}
  staging:
    gates:
      - tests: ./acceptance.sh
  prod:
    from: staging
    production: true
    gates:
      - approval: {}
      - bake: 2s
    overrides:
      services:
        order:
          instances: 2
          env: {TIER: prod}
          strategy: {rolling: {progressDeadline: 10s}}
%s`

// acceptanceScript is staging's tests gate: it reaches the version
// through the router of the environment it comes from.
const acceptanceScript = `#!/bin/sh
set -e
echo "acceptance of $SLIPWAY_SERVICE $SLIPWAY_VERSION ($SLIPWAY_DIGEST) in $SLIPWAY_ENVIRONMENT for $SLIPWAY_TARGET_ENVIRONMENT at $SLIPWAY_URL"
curl -fsS --max-time 10 "$SLIPWAY_URL/healthz"
echo
echo "acceptance passed: $SLIPWAY_VERSION"
`

// pipelineApp is a server and a spec directory holding a spec and the
// acceptance script.
type pipelineApp struct {
	t    *testing.T
	srv  *server
	dir  string
	file string
}

// newPipelineApp starts a server and writes spec and the acceptance
// script. On failure it logs the pipeline and each environment's last
// events.
func newPipelineApp(t *testing.T, spec string) *pipelineApp {
	t.Helper()
	return newPipelineAppWith(t, func(string) string { return spec })
}

// newPipelineAppWith is newPipelineApp with a spec that may name the
// server's data directory.
func newPipelineAppWith(t *testing.T, spec func(data string) string) *pipelineApp {
	t.Helper()
	data := t.TempDir()
	dir := specDir(t)
	openToAll(t, dir) // a root server runs the gates as the service's user
	file := writeSpec(t, dir, "slipway.yaml", spec(data))
	writeExecutable(t, filepath.Join(dir, "acceptance.sh"), []byte(acceptanceScript))
	t.Cleanup(func() { stopEnvironmentInstances(t, data) }) // after the servers are killed
	p := &pipelineApp{t: t, srv: startServer(t, data), dir: dir, file: file}
	t.Cleanup(p.dumpOnFailure) // before the server is killed
	return p
}

// stopEnvironmentInstances kills the instances of every environment but
// the default one (data/envs/NAME/instances), which the harness's
// cleanup, looking in data/instances only, does not see; and removes
// their cgroups.
func stopEnvironmentInstances(t *testing.T, data string) {
	root := filepath.Join(data, "envs")
	deadline := time.Now().Add(10 * time.Second)
	for pids := pidsUnder(root); len(pids) > 0; pids = pidsUnder(root) {
		if time.Now().After(deadline) {
			t.Errorf("instances of environments still alive after cleanup: %v", pids)
			break
		}
		for _, pid := range pids {
			_ = syscall.Kill(-pid, syscall.SIGKILL)
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		time.Sleep(50 * time.Millisecond)
	}
	envs, _ := os.ReadDir(root)
	for _, e := range envs {
		removeCgroups(filepath.Join(root, e.Name(), "instances"))
	}
}

func (p *pipelineApp) dumpOnFailure() {
	if !p.t.Failed() || p.srv.exited(10*time.Millisecond) {
		return
	}
	p.t.Logf("pipeline status order:\n%s", p.srv.cli("pipeline", "status", "order"))
	var envs []api.Environment
	if err := p.srv.getJSON("/v1/environments", &envs); err != nil {
		p.t.Logf("environments: %v", err)
	}
	for _, env := range envs {
		var evs []api.Event
		if err := p.srv.getJSON("/v1/events?limit=10000&env="+env.Name, &evs); err != nil {
			continue
		}
		var lines []string
		for _, ev := range evs {
			lines = append(lines, fmt.Sprintf("%s %s r%d %s", ev.Time.Format("15:04:05.000"), ev.Type, ev.Revision, ev.Message))
		}
		p.t.Logf("events of %s:\n%s", env.Name, tail(strings.Join(lines, "\n"), 30))
	}
}

// applyAll applies the spec to each environment and waits for it.
func (p *pipelineApp) applyAll(envs ...string) {
	p.t.Helper()
	for _, env := range envs {
		p.srv.mustCLI("apply", "-f", p.file, "--env", env, "--wait", "--timeout", "50s")
	}
}

// binaryArtifact is a copy of the order binary with the label appended,
// so that each version has its own digest (an ELF file runs the same
// with trailing bytes).
func (p *pipelineApp) binaryArtifact(label string) string {
	p.t.Helper()
	b, err := os.ReadFile(bin.order)
	if err != nil {
		p.t.Fatal(err)
	}
	path := filepath.Join(p.dir, "order-"+label)
	writeExecutable(p.t, path, append(b, []byte("\nslipway-e2e-version "+label+"\n")...))
	return path
}

// brokenInProdArtifact is a version that runs the order binary except
// where TIER=prod (prod's overrides), where it exits at once: it passes
// dev and staging and crash-loops in prod.
func (p *pipelineApp) brokenInProdArtifact(label string) string {
	p.t.Helper()
	path := filepath.Join(p.dir, "order-"+label)
	script := fmt.Sprintf("#!/bin/sh\n# %s\nif [ \"$TIER\" = prod ]; then echo \"order %s: cannot start in prod\" >&2; exit 1; fi\nexec %s \"$@\"\n",
		label, label, bin.order)
	writeExecutable(p.t, path, []byte(script))
	return path
}

// push pushes file as a version of order built from commit.
func (p *pipelineApp) push(file, version string, c pushedCommit) {
	p.t.Helper()
	r := p.srv.mustCLI("artifact", "push", file, "--service", "order", "--version", version,
		"--commit", c.id, "--commit-time", c.when.Format(time.RFC3339))
	if want := fmt.Sprintf("pushed order version %s (sha256:%s), commit %s", version, sha256File(p.t, file)[:12], c.id); !strings.Contains(r.stdout, want) {
		p.t.Errorf("push said %q, want %q", r.stdout, want)
	}
}

// promoteWait promotes order from one environment into the next, whose
// gates need no person, and returns the promotion once it succeeded.
func (p *pipelineApp) promoteWait(from, to string) api.Promotion {
	p.t.Helper()
	r := p.srv.mustCLI("promote", "order", "--from", from, "--to", to, "--wait", "--timeout", "50s")
	id := promotionID(p.t, r)
	return p.waitPromotion(to, id)
}

// release takes a pushed version from dev to prod: deploy, promote to
// staging, promote to prod, approve; it returns prod's promotion once it
// ended, succeeded or not.
func (p *pipelineApp) release(version string) api.Promotion {
	p.t.Helper()
	p.srv.mustCLI("deploy", "order", "--version", version, "--env", "dev", "--wait", "--timeout", "50s")
	p.promoteWait("dev", "staging")
	r := p.srv.mustCLI("promote", "order", "--from", "staging", "--to", "prod")
	id := promotionID(p.t, r)
	p.waitWaiting("prod", id, "waiting for approval")
	p.srv.mustCLI("approve", "order", "--env", "prod", "--by", "ana")
	return p.waitPromotion("prod", id)
}

// promoteIntoProd promotes version from staging into prod step by step:
// it waits for approval and nothing moves until ana approves.
func (p *pipelineApp) promoteIntoProd(version string) api.Promotion {
	p.t.Helper()
	before := p.currentRevision("prod")
	r := p.srv.mustCLI("promote", "order", "--from", "staging", "--to", "prod")
	id := promotionID(p.t, r)
	if !strings.Contains(r.stdout, "gate 1: approval") || !strings.Contains(r.stdout, "gate 2: bake 2s") {
		p.t.Errorf("promote did not list prod's gates:\n%s", r)
	}
	p.waitWaiting("prod", id, "waiting for approval: slipway approve order --env prod")
	if text := p.srv.mustCLI("pipeline", "status", "order").stdout; !strings.Contains(text, "waiting for approval") {
		p.t.Errorf("pipeline status does not say prod waits for approval:\n%s", text)
	}
	if now := p.currentRevision("prod"); now.Number != before.Number {
		p.t.Errorf("prod moved from revision %d to %d before the approval", before.Number, now.Number)
	}
	ok := p.srv.mustCLI("approve", "order", "--env", "prod", "--by", "ana")
	// The server records who the credentials say, not --by ana.
	if want := fmt.Sprintf("promotion %d of order version %s into prod approved by token:admin", id, version); !strings.Contains(ok.stdout, want) {
		p.t.Errorf("approve said %q, want %q", ok.stdout, want)
	}
	done := p.waitPromotion("prod", id)
	if done.State != "Succeeded" {
		p.t.Fatalf("promotion %d into prod: %s: %s", id, done.State, done.Reason)
	}
	return done
}

// promotionID is the promotion a deploy or promote output names.
func promotionID(t *testing.T, r result) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscanf(r.stdout, "promotion %d:", &id); err != nil {
		t.Fatalf("no promotion id in:\n%s", r)
	}
	return id
}

// pipeline is `pipeline status order -o json`.
func (p *pipelineApp) pipeline() api.Pipeline {
	p.t.Helper()
	var pl api.Pipeline
	decodeCLI(p.t, p.srv.mustCLI("pipeline", "status", "order", "-o", "json"), &pl)
	return pl
}

// stage is one environment's stage of the pipeline.
func (p *pipelineApp) stage(env string) api.Stage {
	p.t.Helper()
	pl := p.pipeline()
	i := slices.IndexFunc(pl.Stages, func(s api.Stage) bool { return s.Env == env })
	if i < 0 {
		p.t.Fatalf("pipeline has no stage %s: %+v", env, pl.Stages)
	}
	return pl.Stages[i]
}

// waitPromotion waits until promotion id into env has ended.
func (p *pipelineApp) waitPromotion(env string, id int64) api.Promotion {
	p.t.Helper()
	var cur api.Promotion
	waitFor(p.t, 90*time.Second, fmt.Sprintf("promotion %d into %s to end", id, env), func() (bool, string) {
		st := p.stage(env)
		if st.Promotion == nil || st.Promotion.ID != id {
			return false, fmt.Sprintf("stage %s: latest promotion %+v", env, st.Promotion)
		}
		cur = *st.Promotion
		return cur.State == "Succeeded" || cur.State == "Failed" || cur.State == "Cancelled", cur.State + ": " + cur.Reason
	})
	return cur
}

// waitWaiting waits until promotion id into env waits for what says.
func (p *pipelineApp) waitWaiting(env string, id int64, what string) {
	p.t.Helper()
	waitFor(p.t, 60*time.Second, fmt.Sprintf("promotion %d into %s %s", id, env, what), func() (bool, string) {
		st := p.stage(env)
		if st.Promotion == nil || st.Promotion.ID != id {
			return false, fmt.Sprintf("latest promotion %+v", st.Promotion)
		}
		return st.Promotion.State == "Waiting" && strings.Contains(st.Waiting, what), st.Promotion.State + ": " + st.Waiting
	})
}

// revisions are order's revisions in env (`history order --env E`).
func (p *pipelineApp) revisions(env string) []api.Revision {
	p.t.Helper()
	var revs []api.Revision
	decodeCLI(p.t, p.srv.mustCLI("history", "order", "--env", env, "-o", "json"), &revs)
	return revs
}

// currentRevision is order's current revision in env.
func (p *pipelineApp) currentRevision(env string) api.Revision {
	p.t.Helper()
	revs := p.revisions(env)
	i := slices.IndexFunc(revs, func(r api.Revision) bool { return r.Current })
	if i < 0 {
		p.t.Fatalf("order has no current revision in %s: %+v", env, revs)
	}
	return revs[i]
}

// checkRuns checks that env runs version (the file artifact) as
// revision rev on n ready instances, and answers through its router.
func (p *pipelineApp) checkRuns(env, version, artifact string, rev, n int) {
	p.t.Helper()
	waitFor(p.t, 30*time.Second, fmt.Sprintf("order converged in %s", env), func() (bool, string) {
		return converged(p.srv.envServices(env), map[string]int{"order": n})
	})
	svc, _ := find(p.srv.envServices(env), "order")
	cur := p.currentRevision(env)
	want := "sha256:" + sha256File(p.t, artifact)
	if svc.Revision != rev || cur.Number != rev || cur.Version != version || cur.Digest != want {
		p.t.Errorf("%s runs revision %d (history: %d, %s, %s); want %d, %s, %s", env, svc.Revision, cur.Number, cur.Version, cur.Digest, rev, version, want)
	}
	body, err := fetchJSON(p.routerOf(env) + "/")
	if err != nil || body["revision"] != fmt.Sprint(rev) {
		p.t.Errorf("%s's router: %v %v; want an answer from revision %d", env, body, err, rev)
	}
}

// routerOf is env's router URL, as `env list` says.
func (p *pipelineApp) routerOf(env string) string {
	p.t.Helper()
	for _, e := range p.srv.environments() {
		if e.Name == env {
			return e.Router
		}
	}
	p.t.Fatalf("no environment %s in env list", env)
	return ""
}

// dora is `dora --env env -o json`.
func (p *pipelineApp) dora(env string) api.DORA {
	p.t.Helper()
	var d api.DORA
	decodeCLI(p.t, p.srv.mustCLI("dora", "--env", env, "-o", "json"), &d)
	return d
}

// environments is `env list -o json`.
func (s *server) environments() []api.Environment {
	s.t.Helper()
	var envs []api.Environment
	decodeCLI(s.t, s.mustCLI("env", "list", "-o", "json"), &envs)
	return envs
}

// envServices is GET /v1/services?env=env.
func (s *server) envServices(env string) []api.Service {
	s.t.Helper()
	var out []api.Service
	if err := s.getJSON("/v1/services?env="+env, &out); err != nil {
		s.t.Fatalf("services of %s: %v", env, err)
	}
	return out
}

// envEvents is GET /v1/events?env=env.
func (s *server) envEvents(env string) []api.Event {
	s.t.Helper()
	var out []api.Event
	if err := s.getJSON("/v1/events?limit=10000&env="+env, &out); err != nil {
		s.t.Fatalf("events of %s: %v", env, err)
	}
	return out
}

// hasArtifact is HEAD /v1/artifacts/{digest}.
func (s *server) hasArtifact(digest string) bool {
	s.t.Helper()
	code, _, err := httpDo(http.MethodHead, s.url+"/v1/artifacts/"+digest, s.token, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	return code == http.StatusOK
}

// writeExecutable writes an executable file.
func writeExecutable(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o755); err != nil {
		t.Fatal(err)
	}
}

// decodeCLI decodes a command's JSON output into v.
func decodeCLI(t *testing.T, r result, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.stdout), v); err != nil {
		t.Fatalf("decode the output of slipway %s: %v\n%s", strings.Join(r.args, " "), err, r)
	}
}
