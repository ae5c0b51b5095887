package spec

import (
	"reflect"
	"testing"
)

func TestDiff(t *testing.T) {
	old := mustParse(t, `app: shop
services:
  order:
    run: [./order, --port, "${PORT}"]
    instances: 2
  legacy:
    run: [./legacy]
  same:
    run: [./same]
`).Services
	new := mustParse(t, `app: shop
services:
  invoice:
    run: [./invoice]
  order:
    run: [./order, --port, "${PORT}"]
    instances: 3
    env: {GREETING: hello}
  same:
    run: [./same]
    instances: 1
    stopGrace: 10s
`).Services
	c := Diff(old, new)
	want := ChangeSet{
		Added: []string{"invoice"},
		Changed: []ServiceChange{{Name: "order", Fields: []FieldChange{
			{"instances", "2", "3"},
			{"env.GREETING", "(none)", "hello"},
		}}},
		Removed:   []string{"legacy"},
		Unchanged: []string{"same"},
	}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("Diff =\n%#v\nwant\n%#v", c, want)
	}
	wantText := `+ invoice (new)
~ order
    instances: 2 -> 3
    env.GREETING: (none) -> hello
- legacy (removed)
`
	if c.String() != wantText {
		t.Errorf("String() =\n%s\nwant\n%s", c, wantText)
	}
	if c.Empty() {
		t.Error("Empty() = true")
	}
	if !Diff(old, old).Empty() || Diff(old, old).String() != "no changes\n" {
		t.Errorf("Diff(old, old) = %v", Diff(old, old))
	}
}

func TestDiffService(t *testing.T) {
	base := mustParse(t, shopSpec(t)).Services["invoice"]
	cases := []struct {
		name   string
		change func(s *Service)
		want   []FieldChange
	}{
		{"nothing", func(s *Service) {}, nil},
		{"name is ignored", func(s *Service) { s.Name = "other" }, nil},
		{"arg", func(s *Service) { s.Run[3] = "8080" }, []FieldChange{{"run[3]", "${PORT}", "8080"}}},
		{"arg removed", func(s *Service) { s.Run = s.Run[:3] }, []FieldChange{{"run[3]", "${PORT}", "(none)"}}},
		{"probe interval", func(s *Service) { s.Health.Readiness.Interval.Duration *= 2 },
			[]FieldChange{{"health.readiness.interval", "1s", "2s"}}},
		{"memory", func(s *Service) { s.Resources.Memory = 1 << 30 }, []FieldChange{{"resources.memory", "128Mi", "1Gi"}}},
		{"digest", func(s *Service) { s.Artifact = &Artifact{Path: "x", Digest: "sha256:ab"} },
			[]FieldChange{{"artifact.path", "(none)", "x"}, {"artifact.digest", "(none)", "sha256:ab"}}},
		{"quoted", func(s *Service) { s.Env["GREETING"] = "hi there" },
			[]FieldChange{{"env.GREETING", "hello", `"hi there"`}}},
		{"liveness removed", func(s *Service) { s.Health.Liveness = nil }, []FieldChange{
			{"health.liveness.http", "/", "(none)"},
			{"health.liveness.tcp", "false", "(none)"},
			{"health.liveness.interval", "5s", "(none)"},
			{"health.liveness.timeout", "1s", "(none)"},
			{"health.liveness.failureThreshold", "3", "(none)"},
			{"health.liveness.successThreshold", "1", "(none)"},
			{"health.liveness.initialDelay", "0s", "(none)"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := base.Clone()
			c.change(s)
			if got := DiffService(base, s); !reflect.DeepEqual(got, c.want) {
				t.Errorf("DiffService = %v, want %v", got, c.want)
			}
			if Equal(base, s) != (len(c.want) == 0) {
				t.Errorf("Equal = %v with %d changes", Equal(base, s), len(c.want))
			}
		})
	}
}

func TestEqualUsesEffectiveValues(t *testing.T) {
	one := 1
	a := &Service{Run: []string{"x"}}
	b := &Service{Run: []string{"x"}, Instances: &one, Env: map[string]string{}}
	if !Equal(a, b) {
		t.Errorf("Equal(%v, %v) = false: defaults should make them equal", a, b)
	}
}

func TestCloneIsDeep(t *testing.T) {
	s := mustParse(t, shopSpec(t)).Services["invoice"]
	s.Health.Readiness.Exec = []string{"check"}
	s.Artifact = &Artifact{Path: "a"}
	c := s.Clone()
	if !reflect.DeepEqual(s, c) {
		t.Fatalf("Clone differs:\n%+v\n%+v", s, c)
	}
	c.Run[0] = "changed"
	c.Env["GREETING"] = "changed"
	*c.Instances = 9
	c.Health.Readiness.Interval.Duration = 0
	c.Health.Readiness.Exec[0] = "changed"
	c.Health.Liveness.HTTP = "/changed"
	c.DependsOn[0] = "changed"
	c.Artifact.Path = "changed"
	*c.Strategy.Rolling.MaxSurge = 9
	if fields := DiffService(s, mustParse(t, shopSpec(t)).Services["invoice"]); len(fields) != 2 {
		t.Errorf("original changed through its clone: %v", fields)
	}
}
