package spec

import (
	"errors"
	"slices"
	"testing"
)

// TestExpandSecrets: only ${secret.NAME} expands; every other byte of an
// env value is kept as written.
func TestExpandSecrets(t *testing.T) {
	vals := map[string]string{"db": "s3cr$t", "api": "k"}
	reveal := func(n string) (string, error) {
		v, ok := vals[n]
		if !ok {
			return "", errors.New("no secret " + n)
		}
		return v, nil
	}
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{"postgres://app:${secret.db}@db/app", "postgres://app:s3cr$t@db/app"},
		{"${secret.db}${secret.api}", "s3cr$tk"},
		{"${HOME} $$ ${secret.api}", "${HOME} $$ k"},
		{"${secret.db", "${secret.db"},
		{"", ""},
	} {
		got, err := ExpandSecrets(tc.in, reveal)
		if err != nil || got != tc.want {
			t.Errorf("ExpandSecrets(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	if _, err := ExpandSecrets("x${secret.nope}", reveal); err == nil {
		t.Error("an unknown secret expanded without error")
	}
}

// TestSecretRefsAndVersionsInDiff: a service's references are found, and
// a changed secret version is a changed service, shown by version.
func TestSecretRefsAndVersionsInDiff(t *testing.T) {
	app, err := Parse("slipway.yaml", []byte(web+"    env: {URL: 'x:${secret.db}@${secret.api}', B: '${secret.db}'}\nsecrets:\n  db: {fromEnv: DB}\n  api: {fromFile: ./api}\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := app.Services["web"]
	if got := s.SecretRefs(); !slices.Equal(got, []string{"api", "db"}) {
		t.Fatalf("SecretRefs = %v", got)
	}
	if app.Secrets["api"].FromFile != "./api" || app.SecretLine("db") != 7 {
		t.Fatalf("secrets = %+v, line %d", app.Secrets, app.SecretLine("db"))
	}
	old := s.Clone()
	old.SecretVersions = map[string]int{"db": 1, "api": 1}
	s.SecretVersions = map[string]int{"db": 2, "api": 1}
	got := DiffService(old, s)
	want := []FieldChange{{Path: "secret.db", Old: "version 1", New: "version 2"}}
	if !slices.Equal(got, want) {
		t.Fatalf("diff = %+v, want %+v", got, want)
	}
	if c := app.Clone(); c.Secrets["db"] == app.Secrets["db"] {
		t.Fatal("Clone shares secret sources")
	}
}
