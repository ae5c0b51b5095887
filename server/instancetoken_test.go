package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInstanceTokens: an instance's credential names it and its
// environment; one altered, signed by another environment's key, or of
// an environment without a key is refused, and OFREP refuses it too.
func TestInstanceTokens(t *testing.T) {
	k := newKeyring()
	dir := t.TempDir()
	for _, env := range []string{"default", "prod"} {
		if err := os.Mkdir(filepath.Join(dir, env), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := k.instances.load(env, filepath.Join(dir, env)); err != nil {
			t.Fatal(err)
		}
	}
	tok := k.instances.token("default", "web-1-abc")
	p, ok := k.Lookup(tok)
	if !ok || p.Instance != "web-1-abc" || p.Env != "default" || p.Name != "instance:web-1-abc" || p.Role.String() != "evaluator" {
		t.Fatalf("lookup: %+v %v", p, ok)
	}
	if k.checkKey(tok) == nil {
		t.Error("OFREP took an instance's credential")
	}
	prod := k.instances.token("prod", "web-1-abc")
	body, sig, _ := strings.Cut(strings.TrimPrefix(prod, instanceTokenPrefix), ".")
	_, mine, _ := strings.Cut(strings.TrimPrefix(tok, instanceTokenPrefix), ".")
	for name, bad := range map[string]string{
		"altered MAC":       tok[:len(tok)-1] + string("0123456789abcdef"[(strings.IndexByte("0123456789abcdef", tok[len(tok)-1])+1)%16]),
		"another env's MAC": instanceTokenPrefix + body + "." + mine,
		"another instance":  strings.Split(k.instances.token("default", "web-2-def"), ".")[0] + "." + mine,
		"no MAC":            instanceTokenPrefix + body,
		"an unknown env":    (&instanceKeys{byEnv: map[string][]byte{"staging": []byte("k")}}).token("staging", "x"),
		"not base64":        instanceTokenPrefix + "!!." + sig,
	} {
		if p, ok := k.Lookup(bad); ok {
			t.Errorf("%s: took %q as %+v", name, bad, p)
		}
	}
}
