package spec

import (
	"slices"
	"strings"
	"testing"
)

func TestUserProblems(t *testing.T) {
	cases := []struct {
		name, user string
		msg        string // "" when valid
	}{
		{"name", "app", ""},
		{"uid", "1000", ""},
		{"uid and gid", "1000:1000", ""},
		{"name and group", "app:staff", ""},
		{"root", "root", ""},
		{"zero", "0", ""},
		{"capital name", `"Bad Name"`, `invalid user name "Bad Name"`},
		{"huge uid", "99999999999", `user "99999999999" is not a number from 0`},
		{"empty group", `"app:"`, "empty group"},
		{"empty user", `":12"`, "empty user"},
		{"bad group", `"app:Wheel!"`, `invalid group name "Wheel!"`},
		{"uid with letters", "12ab", `user "12ab" is not a number`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := web + "    user: " + c.user + "\n"
			_, err := Parse("slipway.yaml", []byte(src))
			if c.msg == "" {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				return
			}
			ps := problemsOf(t, src)
			got := ps.Error()
			if !strings.Contains(got, "slipway.yaml:5: services.web.user: ") || !strings.Contains(got, c.msg) {
				t.Fatalf("problems = %q, want line 5, services.web.user and %q", got, c.msg)
			}
		})
	}
}

func TestUserWarnings(t *testing.T) {
	app, err := Parse("slipway.yaml", []byte(web+"    user: root\n  api:\n    run: [./api]\n    user: \"1000\"\n  db:\n    run: [./db]\n    user: \"0:0\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := UserWarnings(app.Services)
	if len(got) != 2 || !strings.HasPrefix(got[0], "services.db.user: 0:0: ") || !strings.HasPrefix(got[1], "services.web.user: root: ") {
		t.Fatalf("UserWarnings = %q, want db and web, in order", got)
	}
	if !slices.Equal(UserWarnings(map[string]*Service{"a": {Name: "a"}}), nil) {
		t.Fatal("a service with no user warns")
	}
}
