package spec

import (
	"strings"
	"testing"
)

// TestParts: which parts of the app an apply of a spec owns: the
// sections its file has (sections.go).
func TestParts(t *testing.T) {
	const flag = "flags:\n  cache: {class: operational, type: boolean, default: off}\n"
	const segment = "segments:\n  beta: {if: ctx.beta}\n"
	cases := []struct {
		name, src       string
		services, flags bool
	}{
		{"services only", web, true, false},
		{"services and flags", web + flag, true, true},
		{"flags only", "app: shop\n" + flag, false, true},
		{"flags and segments only", "app: shop\n" + flag + segment, false, true},
		{"segments only", "app: shop\n" + segment, false, true},
		{"no flags, written: every flag goes", "app: shop\nflags: {}\n", false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			app, err := Parse("slipway.yaml", []byte(c.src))
			if err != nil {
				t.Fatal(err)
			}
			if app.HasServices() != c.services || app.HasFlags() != c.flags {
				t.Errorf("HasServices %v, HasFlags %v; want %v, %v", app.HasServices(), app.HasFlags(), c.services, c.flags)
			}
			if !c.services && len(app.Services) != 0 {
				t.Errorf("a file without services parsed to services %v", app.Services)
			}
		})
	}
}

// TestPartsOfABuiltApp: an app built in code, not parsed, has the parts
// it holds.
func TestPartsOfABuiltApp(t *testing.T) {
	app := &App{Name: "shop", Flags: map[string]*Flag{"cache": {}}}
	if app.HasServices() || !app.HasFlags() {
		t.Errorf("HasServices %v, HasFlags %v; want false, true", app.HasServices(), app.HasFlags())
	}
	app = &App{Name: "shop", Services: map[string]*Service{"web": {}}}
	if !app.HasServices() || app.HasFlags() {
		t.Errorf("HasServices %v, HasFlags %v; want true, false", app.HasServices(), app.HasFlags())
	}
}

// TestFlagsOnlyForAnEnvironment: a file of flags only has no
// environments, and applies to the one it is given (the server checks
// it exists); a file of services without environments has only the
// default one.
func TestFlagsOnlyForAnEnvironment(t *testing.T) {
	app, err := ParseWith("flags.yaml", []byte("app: shop\nflags: {}\n"), Options{Environment: "prod"})
	if err != nil || app.Environment != "prod" {
		t.Fatalf("flags only for prod: %v, environment %q", err, app.Environment)
	}
	if _, err := ParseWith("slipway.yaml", []byte(web), Options{Environment: "prod"}); err == nil ||
		!strings.Contains(err.Error(), `environment "prod" is not in the spec`) {
		t.Fatalf("services without environments, for prod: %v", err)
	}
}
