package e2e

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// hangingGateEnv is an environment promoted from dev whose tests gate
// hangs past its timeout.
const hangingGateEnv = `  perf:
    from: dev
    gates:
      - tests: {run: "sleep 60", timeout: 1s}
`

// TestPipelineBadInput checks that requests the pipeline cannot carry
// out are refused with a message that says why, and change nothing: no
// revision, promotion, version or environment appears.
func TestPipelineBadInput(t *testing.T) {
	p := newPipelineApp(t, fmt.Sprintf(pipelineSpec, hangingGateEnv))
	envs := []string{"dev", "staging", "prod", "perf"}
	p.applyAll(envs...)
	p.push(p.binaryArtifact("v1"), "v1", pushedCommit{"aaaaaaa1", time.Now().Add(-time.Hour).UTC().Truncate(time.Second)})
	p.srv.mustCLI("deploy", "order", "--version", "v1", "--env", "dev", "--wait", "--timeout", "50s")

	refused := []struct {
		what string
		args []string
		want string
	}{
		{"a version that never reached staging", []string{"promote", "order", "--from", "staging", "--to", "prod", "--version", "v9"},
			"version v9 of order never reached staging"},
		{"the wrong source", []string{"promote", "order", "--from", "dev", "--to", "prod"},
			"prod is promoted from staging (environments.prod.from), not from dev"},
		{"an approval nothing waits for", []string{"approve", "order", "--env", "prod", "--by", "bob"},
			"no promotion of order into prod is in flight: nothing waits for approval"},
		{"a version never pushed", []string{"deploy", "order", "--version", "v7", "--env", "dev"},
			"version v7 of order was never pushed (pushed: v1)"},
		{"a deploy into an environment promoted from another", []string{"deploy", "order", "--version", "v1", "--env", "prod"},
			"prod is promoted from staging, not deployed to: slipway promote order --from staging --to prod"},
		{"an environment not in the spec", []string{"apply", "-f", p.file, "--env", "qa"},
			`environment "qa" is not in the spec (it has dev, staging, prod, perf)`},
	}
	before := p.snapshot(envs)
	for _, c := range refused {
		r := p.srv.cli(c.args...)
		if r.code == 0 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%s: want a failure saying %q, got:\n%s", c.what, c.want, r)
		}
		if after := p.snapshot(envs); after != before {
			t.Errorf("%s changed the pipeline:\nbefore:\n%s\nafter:\n%s", c.what, before, after)
		}
	}

	checkMismatchedUpload(t, p.srv)
	checkUnknownSource(t, p)
	if after := p.snapshot(envs); after != before {
		t.Errorf("a refused upload or spec changed the pipeline:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	checkHangingGate(t, p, envs)
}

// checkMismatchedUpload PUTs bytes under another file's digest: 400, and
// neither digest is stored.
func checkMismatchedUpload(t *testing.T, srv *server) {
	t.Helper()
	claimed := fmt.Sprintf("sha256:%x", sha256.Sum256([]byte("the bytes the digest is of")))
	sent := []byte("other bytes")
	code, body, err := httpDo(http.MethodPut, srv.url+"/v1/artifacts/"+claimed, srv.token, sent)
	if err != nil {
		t.Fatal(err)
	}
	if code != http.StatusBadRequest || !strings.Contains(body, "digest mismatch") || !strings.Contains(body, claimed) {
		t.Errorf("PUT of other bytes under %s: %d %s; want 400 saying digest mismatch", claimed, code, body)
	}
	for _, d := range []string{claimed, fmt.Sprintf("sha256:%x", sha256.Sum256(sent))} {
		if srv.hasArtifact(d) {
			t.Errorf("artifact %s stored after a mismatched upload", d)
		}
	}
}

// checkUnknownSource validates a spec whose prod is promoted from an
// environment it does not have: the file, line and field are named.
func checkUnknownSource(t *testing.T, p *pipelineApp) {
	t.Helper()
	text := strings.Replace(fmt.Sprintf(pipelineSpec, ""), "from: staging", "from: stagin", 1)
	line := 1 + strings.Count(text[:strings.Index(text, "from: stagin")], "\n")
	dir := t.TempDir()
	file := writeSpec(t, dir, "slipway.yaml", text)
	r := p.srv.cli("validate", "-f", file)
	want := fmt.Sprintf(`%s:%d: environments.prod.from: unknown environment "stagin"`, file, line)
	if r.code == 0 || !strings.Contains(r.stderr, want) {
		t.Errorf("validate of a spec naming an unknown source: want a failure saying %q, got:\n%s", want, r)
	}
	if r := p.srv.cli("apply", "-f", file, "--env", "prod"); r.code == 0 || !strings.Contains(r.stderr, want) {
		t.Errorf("apply of a spec naming an unknown source: want a failure saying %q, got:\n%s", want, r)
	}
}

// checkHangingGate promotes dev's v1 into perf, whose tests gate runs
// `sleep 60` with a 1s timeout: the promotion fails saying it timed
// out, the command is stopped, and perf still runs what it ran.
func checkHangingGate(t *testing.T, p *pipelineApp, envs []string) {
	t.Helper()
	revs := map[string]string{}
	for _, env := range envs {
		revs[env] = fmt.Sprint(p.revisions(env))
	}
	start := time.Now()
	r := p.srv.cli("promote", "order", "--from", "dev", "--to", "perf", "--wait", "--timeout", "50s")
	took := time.Since(start)
	t.Logf("promote into perf ended after %s:\n%s", took.Round(time.Millisecond), r)
	if r.code == 0 || !strings.Contains(r.stderr, "timed out after 1s") {
		t.Errorf("promotion through a hanging tests gate: want a failure saying it timed out, got:\n%s", r)
	}
	if took > 40*time.Second { // sleep 60 was not cut short
		t.Errorf("the promotion through a 1s tests gate took %s", took)
	}
	got := p.stage("perf").Promotion
	if got == nil || got.State != "Failed" || len(got.Gates) != 1 || got.Gates[0].State != "Failed" ||
		!strings.Contains(got.Reason, "gate 1 (tests) failed: timed out after 1s") || got.Operation != 0 || got.Revision != 0 {
		t.Errorf("perf's promotion: %+v; want Failed at its tests gate, timed out, nothing deployed", got)
	}
	for _, env := range envs {
		if now := fmt.Sprint(p.revisions(env)); now != revs[env] {
			t.Errorf("%s's revisions changed after a failed gate:\nbefore: %s\nafter:  %s", env, revs[env], now)
		}
	}
	waitFor(t, 10*time.Second, "the timed-out test command to be gone", func() (bool, string) {
		pids := processesIn(p.dir)
		return len(pids) == 0, fmt.Sprintf("still running in %s: pids %v", p.dir, pids)
	})
}

// processesIn lists live processes whose working directory is dir (a
// gate's test command runs in the spec's directory).
func processesIn(dir string) []int {
	var out []int
	for _, pid := range pidsUnder(filepath.Dir(dir)) {
		if cwd, _ := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid)); cwd == dir {
			out = append(out, pid)
		}
	}
	return out
}

// snapshot is what a refused request must not change: order's
// revisions in each environment, the latest promotion into each, the
// pushed versions and the environments.
func (p *pipelineApp) snapshot(envs []string) string {
	p.t.Helper()
	var b strings.Builder
	for _, env := range envs {
		for _, r := range p.revisions(env) {
			fmt.Fprintf(&b, "%s r%d %s %s %s current=%v\n", env, r.Number, r.State, r.Version, r.Digest, r.Current)
		}
	}
	pl := p.pipeline()
	for _, st := range pl.Stages {
		if st.Promotion != nil {
			fmt.Fprintf(&b, "%s: promotion %d %s\n", st.Env, st.Promotion.ID, st.Promotion.State)
		}
	}
	for _, v := range pl.Versions {
		fmt.Fprintf(&b, "version %s %s\n", v.Version, v.Digest)
	}
	for _, e := range p.srv.environments() {
		fmt.Fprintf(&b, "environment %s %s %v\n", e.Name, e.Router, e.Services)
	}
	return b.String()
}
