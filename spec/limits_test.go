package spec

import (
	"errors"
	"strings"
	"testing"
)

// TestInstanceLimit checks that a service asking for more instances than
// the limit is refused at its line, naming the limit and the flag that
// raises it, in the base spec and in an environment's override.
func TestInstanceLimit(t *testing.T) {
	cases := []struct {
		name  string
		src   string
		limit int
		line  int
		path  string
	}{
		{"default limit", web + "    instances: 1000000\n", 0, 5, "services.web.instances"},
		{"server limit", web + "    instances: 11\n", 10, 5, "services.web.instances"},
		{"override", web + "environments:\n  prod:\n    overrides: {services: {web: {instances: 101}}}\n", 0, 7,
			"environments.prod.overrides.services.web.instances"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseWith("slipway.yaml", []byte(c.src), Options{MaxInstancesPerService: c.limit})
			var ps *Problems
			if !errors.As(err, &ps) {
				t.Fatalf("ParseWith error = %v, want *Problems", err)
			}
			p := (*ps)[0]
			if p.Line != c.line || p.Path != c.path || !strings.Contains(p.Message, "--max-instances-per-service") {
				t.Errorf("problem = %s; want line %d, path %s, naming --max-instances-per-service", p, c.line, c.path)
			}
		})
	}
}

// TestInstanceLimitAllows checks the limit itself, and that a negative
// limit (a client deferring to the server) checks nothing.
func TestInstanceLimitAllows(t *testing.T) {
	for _, c := range []struct {
		src   string
		limit int
	}{
		{web + "    instances: 100\n", 0},
		{web + "    instances: 10\n", 10},
		{web + "    instances: 1000000\n", -1},
	} {
		if _, err := ParseWith("slipway.yaml", []byte(c.src), Options{MaxInstancesPerService: c.limit}); err != nil {
			t.Errorf("limit %d: %v", c.limit, err)
		}
	}
}
