package e2e

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// secretSpec runs the example service only when its env holds exactly
// the secrets' values (their SHA-256, %[1]s): a wrong or missing value
// keeps it from ever becoming ready. %[2]s is the api secret's file.
const secretSpec = `app: shop
secrets:
  db:     {fromEnv: E2E_DB_PASSWORD}
  api:    {fromFile: %[2]s}
  stripe: {fromCommand: ["cat", "./stripe.txt"]}
services:
  web:
    run: ["sh", "-c", "test \"$(printf %%s \"$DATABASE_URL|$API_KEY|$STRIPE|$SET\" | sha256sum | cut -c1-64)\" = %[1]s || exit 9; exec ./bin/order --port $PORT"]
    artifact: {path: ./bin/order, version: v1}
    env:
      DATABASE_URL: "postgres://app:${secret.db}@db/app"
      API_KEY: "${secret.api}"
      STRIPE: "${secret.stripe}"
      SET: "${secret.fromset}"
    instances: 2
    health:
      readiness: {http: /healthz, interval: 200ms, failureThreshold: 1}
    route: {host: web.localhost}
    stopGrace: 2s
    strategy:
      rolling: {progressDeadline: 20s}
`

func randomValue(t *testing.T, prefix string) string {
	t.Helper()
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return prefix + hex.EncodeToString(b)
}

// secretsCLI runs the CLI against srv with extra environment and
// standard input.
func secretsCLI(t *testing.T, srv *server, env []string, stdin string, args ...string) result {
	t.Helper()
	c := newCLIRun(60*time.Second, append([]string{"--server", srv.url, "--token-file", srv.tokenFile()}, args...))
	c.cmd.Env = append(c.cmd.Env, env...)
	c.cmd.Stdin = strings.NewReader(stdin)
	return c.result(t, c.cmd.Run())
}

// TestSecretsNeverWrittenInPlainText releases a service whose env holds
// four secrets (from the deployer's environment, a file, a command, and
// `secret set`), changes one (a new revision, said by version in plan),
// and fails an apply whose secret cannot be read. Then it reads every
// byte the server wrote (its data folder: databases, WAL, logs, instance
// records; its own log) and every API answer and CLI output: none holds
// a secret's value.
func TestSecretsNeverWrittenInPlainText(t *testing.T) {
	dir := specDir(t)
	data := t.TempDir()
	srv := startServer(t, data)
	vals := map[string]string{"db": randomValue(t, "db-"), "db2": randomValue(t, "db2-"), "api": randomValue(t, "api-"),
		"stripe": randomValue(t, "sk-"), "fromset": randomValue(t, "set-")}
	writeSpec(t, dir, "api-key", vals["api"]+"\n")
	writeSpec(t, dir, "stripe.txt", vals["stripe"]+"\n")
	hash := func(db string) string {
		sum := sha256.Sum256([]byte("postgres://app:" + db + "@db/app|" + vals["api"] + "|" + vals["stripe"] + "|" + vals["fromset"]))
		return hex.EncodeToString(sum[:])
	}
	var outputs []string
	record := func(r result) result { outputs = append(outputs, r.stdout, r.stderr); return r }
	must := func(r result) result {
		t.Helper()
		if record(r).code != 0 {
			t.Fatalf("command failed:\n%s", r)
		}
		return r
	}

	r := must(secretsCLI(t, srv, nil, vals["fromset"]+"\n", "secret", "set", "fromset"))
	if !strings.Contains(r.stdout, "secret fromset stored as version 1") {
		t.Errorf("secret set says:\n%s", r)
	}
	file := writeSpec(t, dir, "slipway.yaml", fmt.Sprintf(secretSpec, hash(vals["db"]), "./api-key"))
	dbEnv := []string{"E2E_DB_PASSWORD=" + vals["db"]}
	must(secretsCLI(t, srv, dbEnv, "", "apply", "-f", file, "--wait", "--timeout", "60s"))
	srv.waitConverged(10*time.Second, map[string]int{"web": 2})

	// A changed secret: plan says so by version, apply makes revision 2.
	file = writeSpec(t, dir, "slipway.yaml", fmt.Sprintf(secretSpec, hash(vals["db2"]), "./api-key"))
	dbEnv = []string{"E2E_DB_PASSWORD=" + vals["db2"]}
	r = must(secretsCLI(t, srv, dbEnv, "", "plan", "-f", file))
	for _, want := range []string{"secret db: changed (version 1 -> 2)", "~ web", "secret.db", "version 1", "version 2"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan does not say %q:\n%s", want, r)
		}
	}
	must(secretsCLI(t, srv, dbEnv, "", "apply", "-f", file, "--wait", "--timeout", "60s"))
	if svc := srv.waitConverged(10*time.Second, map[string]int{"web": 2}); svc[0].Revision != 2 {
		t.Errorf("a changed secret: web on revision %d, want 2", svc[0].Revision)
	}
	r = must(secretsCLI(t, srv, nil, "", "secret", "list"))
	for _, want := range []string{"db", "2", "apply", "fromset", "set"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("secret list does not say %q:\n%s", want, r)
		}
	}

	// Bad input: a secret whose file is missing stops the apply before
	// anything is sent, naming it at its line.
	bad := writeSpec(t, dir, "bad.yaml", fmt.Sprintf(secretSpec, hash(vals["db2"]), "./missing-key"))
	r = record(secretsCLI(t, srv, dbEnv, "", "apply", "-f", bad, "--wait", "--timeout", "30s"))
	if r.code == 0 || !strings.Contains(r.stderr, "bad.yaml:4: secrets.api.fromFile: secret api cannot be resolved") {
		t.Errorf("an unreadable secret:\n%s", r)
	}
	if svc := srv.service("web"); svc.Revision != 2 {
		t.Errorf("after a refused apply web is on revision %d, want 2", svc.Revision)
	}

	// Every API answer a person or a dashboard reads.
	for _, path := range []string{"/v1/services", "/v1/services/web", "/v1/services/web/revisions", "/v1/events", "/v1/operations",
		"/v1/secrets", "/v1/pipeline/web", "/v1/environments"} {
		code, body, err := httpDo("GET", srv.url+path, srv.token, nil)
		if err != nil {
			t.Fatal(err)
		}
		outputs = append(outputs, fmt.Sprintf("GET %s (%d): %s", path, code, body))
	}
	for _, args := range [][]string{{"status"}, {"events"}, {"history", "web"}, {"logs", "web"}} {
		record(secretsCLI(t, srv, nil, "", args...))
	}
	srv.kill() // its log and database as they are now, WAL included
	outputs = append(outputs, srv.stderr.String())

	files := 0
	err := filepath.WalkDir(data, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for name, v := range vals {
			if strings.Contains(string(b), v) {
				t.Errorf("%s holds secret %s's value", path, name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 5 {
		t.Fatalf("read only %d files of the data folder", files)
	}
	for _, out := range outputs {
		for name, v := range vals {
			if strings.Contains(out, v) {
				t.Errorf("an answer or output holds secret %s's value:\n%s", name, out)
			}
		}
	}
	t.Logf("read %d files of the data folder and %d answers and outputs: no secret value", files, len(outputs))
}
