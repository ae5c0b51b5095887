package spec

import (
	"slices"
	"testing"
)

func deps(graph map[string][]string) map[string]*Service {
	m := map[string]*Service{}
	for name, d := range graph {
		m[name] = &Service{Run: []string{name}, DependsOn: d}
	}
	return m
}

func TestTopoOrder(t *testing.T) {
	cases := []struct {
		name  string
		graph map[string][]string
		want  []string
	}{
		{"empty", nil, nil},
		{"independent by name", map[string][]string{"c": nil, "a": nil, "b": nil}, []string{"a", "b", "c"}},
		{"dependency first", map[string][]string{"a": {"b"}, "b": nil}, []string{"b", "a"}},
		{"diamond", map[string][]string{"web": {"api", "auth"}, "api": {"db"}, "auth": {"db"}, "db": nil},
			[]string{"db", "api", "auth", "web"}},
		{"ties by name after release", map[string][]string{"z": nil, "b": {"z"}, "a": {"z"}, "y": nil},
			[]string{"y", "z", "a", "b"}},
		{"unknown and self ignored", map[string][]string{"a": {"a", "ghost"}}, []string{"a"}},
		{"cycle still lists everyone", map[string][]string{"a": {"b"}, "b": {"a"}, "c": nil}, []string{"c", "a", "b"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := TopoOrder(deps(c.graph)); !slices.Equal(got, c.want) {
				t.Errorf("TopoOrder = %v, want %v", got, c.want)
			}
		})
	}
}

func TestCycleNamesEveryService(t *testing.T) {
	ps := problemsOf(t, `app: shop
services:
  order:
    run: [./order]
    dependsOn: [invoice]
  invoice:
    run: [./invoice]
    dependsOn: [payment]
  payment:
    run: [./payment]
    dependsOn: [order]
`)
	if len(ps) != 1 || ps[0].Message != "dependency cycle: invoice -> payment -> order -> invoice" || ps[0].Line != 8 {
		t.Errorf("got %v", &ps)
	}
}
