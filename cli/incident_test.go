package cli_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/api"
)

func TestIncidentCommands(t *testing.T) {
	url := realServer(t)
	steps := []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{[]string{"incident", "open", "order", "--caused-by", "2", "--title", "checkout answers 500"}, 0,
			"incident 1 opened on order (default), caused by revision 2\n", ""},
		{[]string{"incident", "open", "order", "--env", "default"}, 0, "incident 2 opened on order (default), cause not known\n", ""},
		{[]string{"incident", "open", "order", "--caused-by", "7"}, 1, "", "error: service order has no revision 7 (revisions 1 to 3)\n"},
		{[]string{"incident", "open", "nosuch"}, 1, "", "error: service \"nosuch\" does not exist\n"},
		{[]string{"incident", "open", "order", "--env", "prod"}, 1, "", "error: environment \"prod\" does not exist on this server (it has default)\n"},
		{[]string{"incident", "resolve", "1"}, 0, "incident 1 on order resolved after 0s\n", ""},
		{[]string{"incident", "resolve", "1"}, 1, "", "error: incident 1 was already resolved at 2026-11-26T12:00:00Z\n"},
		{[]string{"incident", "resolve", "9"}, 1, "", "error: incident 9 does not exist\n"},
		{[]string{"incident", "resolve", "one"}, 1, "", "error: incident id: want a positive integer (slipway incident list), got \"one\"\n"},
		{[]string{"incident", "list", "--open"}, 0,
			"ID  SERVICE  ENV      CAUSED BY  OPENED                RESOLVED  TITLE\n" +
				"2   order    default  -          2026-11-26T12:00:00Z  -         -\n", ""},
	}
	for _, s := range steps {
		r := run(t, url, s.args...)
		if r.code != s.code || r.stdout != s.stdout || r.stderr != s.stderr {
			t.Errorf("%v: exit %d\nstdout %q\nstderr %q\nwant %d, %q, %q", s.args, r.code, r.stdout, r.stderr, s.code, s.stdout, s.stderr)
		}
	}
	r := run(t, url, "incident", "list", "-o", "json")
	var is []api.Incident
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &is) != nil || len(is) != 2 || is[0].Title != "checkout answers 500" || is[0].Resolved.IsZero() {
		t.Errorf("incident list -o json: %s%s", r.stdout, r.stderr)
	}
	if r := run(t, url, "incident", "open"); r.code != 2 || !strings.Contains(r.stderr, "accepts 1 arg") {
		t.Errorf("incident open without a service: exit %d, %s", r.code, r.stderr)
	}
}
