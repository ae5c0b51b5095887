package cli

import (
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/api"
)

// TestParallelIsLatest picks between a service's canary and parallel
// run: the one about the target revision, the one in flight, else the
// one that ended last.
func TestParallelIsLatest(t *testing.T) {
	canary := func(rev, stable int, outcome string, ended int) *api.Canary {
		c := &api.Canary{Revision: rev, Stable: stable, Outcome: outcome}
		if ended > 0 {
			c.Ended = sec(ended)
		}
		return c
	}
	parallel := func(rev, stable int, outcome string, ended int) *api.ParallelRun {
		p := &api.ParallelRun{Revision: rev, Stable: stable, Outcome: outcome}
		if ended > 0 {
			p.Ended = sec(ended)
		}
		return p
	}
	tests := []struct {
		name            string
		target          int
		c               *api.Canary
		p               *api.ParallelRun
		latest, current bool
	}{
		{"no parallel run", 3, canary(3, 2, "", 0), nil, false, false},
		{"a parallel run only, in flight", 3, nil, parallel(3, 2, "", 0), true, true},
		{"a parallel run only, history", 6, nil, parallel(5, 4, "Promoted", 10), true, false},
		{"a parallel run after a promoted canary", 4, canary(3, 2, "Promoted", 10), parallel(4, 3, "", 0), true, true},
		{"a canary after a promoted parallel run", 5, canary(5, 4, "", 0), parallel(4, 3, "Promoted", 10), false, false},
		{"a parallel run rolled back to a promoted canary", 3, canary(3, 2, "Promoted", 10), parallel(4, 3, "RolledBack", 20), true, true},
		{"a canary rolled back to a promoted parallel run", 3, canary(4, 3, "RolledBack", 20), parallel(3, 2, "Promoted", 10), false, false},
		{"both history, the parallel run last", 7, canary(4, 3, "Promoted", 10), parallel(5, 4, "Promoted", 20), true, false},
		{"both history, the canary last", 7, canary(5, 4, "Promoted", 20), parallel(4, 3, "Promoted", 10), false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := api.Service{Name: "shop", Revision: tc.target, Canary: tc.c, ParallelRun: tc.p}
			if got := parallelIsLatest(s); got != tc.latest {
				t.Errorf("parallelIsLatest = %v, want %v", got, tc.latest)
			}
			if got := currentParallelRun(s); got != tc.current {
				t.Errorf("currentParallelRun = %v, want %v", got, tc.current)
			}
		})
	}
}

// TestObserveParallelRun drives a parallelWatch through a restart of the
// server (the counts start again) to the run's end; a run replaced by
// another ends the watch too.
func TestObserveParallelRun(t *testing.T) {
	run := func(started, compared int) api.Service {
		p := &api.ParallelRun{Revision: 2, Stable: 1, Percent: 50, MaxMismatchRate: 0.05, MinRequests: 10,
			Started: sec(started), Ends: sec(started + 60)}
		if compared > 0 {
			p.Verdict, p.VerdictReason = "waiting", "few"
			p.Report = &api.MirrorReport{Compared: compared}
		}
		return api.Service{Name: "shop", Revision: 2, Stable: 1, Phase: "Progressing", ParallelRun: p}
	}
	// The final report is as of the run's end, not of the look.
	rolledBack := run(20, 9)
	p := rolledBack.ParallelRun
	p.Report.Mismatched, p.Report.MismatchRate = 1, 1.0/9
	p.Outcome, p.Reason, p.Ended = "RolledBack", "answers differ", sec(80)
	replaced := run(0, 0)
	replaced.Revision, replaced.ParallelRun.Revision = 3, 3
	w := newParallelWatch(run(0, 4))
	steps := []struct {
		svc  api.Service
		now  int
		want string
		err  string
	}{
		{run(0, 4), 10, `
2026-03-01T12:00:10Z  watching the parallel run r2 of shop (stable r1); Ctrl-C stops the watch, not the run
2026-03-01T12:00:00Z  mirroring 50% of requests to r2 until 2026-03-01T12:01:00Z, comparing its answers with r1's; at most 5% of at least 10 compared requests may differ beyond noise
2026-03-01T12:00:10Z  4 compared, 0 differ beyond noise (0%)
2026-03-01T12:00:10Z  verdict so far: waiting: few`, ""},
		{run(0, 4), 11, ``, ""},
		{run(20, 0), 21, `
2026-03-01T12:00:20Z  the comparison starts again (its counts were lost with a restart of the server): mirroring 50% of requests to r2 until 2026-03-01T12:01:20Z, comparing its answers with r1's; at most 5% of at least 10 compared requests may differ beyond noise`, ""},
		{run(20, 4), 22, `
2026-03-01T12:00:22Z  4 compared, 0 differ beyond noise (0%)`, ""},
		{rolledBack, 90, `
2026-03-01T12:01:20Z  9 compared, 1 differs beyond noise (11.11%)
2026-03-01T12:01:20Z  rolled back: answers differ`, "the parallel run r2 of shop was rolled back: answers differ"},
		{replaced, 91, ``, "the parallel run r2 of shop is no longer in view: the service now targets revision 3"},
	}
	for i, st := range steps {
		lines, done, err := w.observe(st.svc, sec(st.now))
		var got []string
		for _, l := range lines {
			got = append(got, l.String())
		}
		want := strings.TrimPrefix(st.want, "\n")
		if strings.Join(got, "\n") != want {
			t.Errorf("look %d:\n%s\nwant:\n%s", i, strings.Join(got, "\n"), want)
		}
		if st.err != "" && (err == nil || !done || !strings.HasPrefix(err.Error(), st.err)) || st.err == "" && (done || err != nil) {
			t.Errorf("look %d: done %v, err %v; want %q", i, done, err, st.err)
		}
	}
}
