package dora

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/store"
)

// figures is what a case checks of a Metrics.
type figures struct {
	Deployments, Changes, ChangeFailures, Unrecovered, Incidents, Unlinked int
	LeadTime, Recovery                                                     Durations
	// Failures are "revision cause -> recovery".
	Failures []string
	Overall  Level
}

func figuresOf(m Metrics) figures {
	f := figures{Deployments: m.Deployments, Changes: m.Changes, ChangeFailures: m.ChangeFailures,
		Unrecovered: m.Unrecovered, Incidents: m.Incidents, Unlinked: m.Unlinked,
		LeadTime: m.LeadTime, Recovery: m.Recovery, Overall: m.Ratings.Overall}
	for _, x := range m.Failures {
		f.Failures = append(f.Failures, fmt.Sprintf("%s r%d %s -> %s", x.Service, x.Revision, x.Cause, x.RecoveredBy))
	}
	return f
}

// twoWeeks is the window of most cases: [t0, t0 + 14 days).
var twoWeeks = Query{From: t0, To: t0.Add(14 * 24 * time.Hour)}

func TestCompute(t *testing.T) {
	for _, tc := range []struct {
		name string
		log  *log
		q    Query
		want figures
	}{{
		name: "no deployments",
		log:  &log{},
		q:    twoWeeks,
		want: figures{Overall: LevelLow},
	}, {
		// v1 and v2 run; v3 misses its progress deadline at 48.5h and its
		// operation restores v2 at 48.6h (6 minutes later). Lead times:
		// 1h - (-2h) = 3h and 25h - 20h = 5h; median 4h, p90 3h + 0.9 x 2h.
		// 2 deployments in 14 days is exactly one a week (high), but
		// 1 failure in 3 changes (33%) meets no level above low.
		name: "a deployment rolled back by its failed rollout",
		log: (&log{}).
			deploy(1, "order", 1, 0, 1, "aaaaaaa", -2).
			deploy(2, "order", 2, 24, 25, "bbbbbbb", 20).
			failDeploy(3, "order", 3, 2, 48, 48.5, 48.6, store.EventRolloutFailed),
		q: twoWeeks,
		want: figures{Deployments: 2, Changes: 3, ChangeFailures: 1,
			LeadTime: Durations{2, hrs(4), hrs(4.8)}, Recovery: Durations{1, mins(6), mins(6)},
			Failures: []string{"order r3 rollout failed -> rollback"}, Overall: LevelLow},
	}, {
		name: "a canary rolled back by its analysis",
		log: (&log{}).
			deploy(1, "order", 1, 0, 1, "", 0).
			failDeploy(2, "order", 2, 1, 24, 24.5, 24.55, store.EventCanaryRolledBack),
		q: twoWeeks,
		want: figures{Deployments: 1, Changes: 2, ChangeFailures: 1, Recovery: Durations{1, mins(3), mins(3)},
			Failures: []string{"order r2 failed analysis -> rollback"}, Overall: LevelLow},
	}, {
		name: "a parallel run that rejected its candidate",
		log: (&log{}).
			deploy(1, "order", 1, 0, 1, "", 0).
			failDeploy(2, "order", 2, 1, 24, 25, 25.1, store.EventParallelRunRolledBack),
		q: twoWeeks,
		want: figures{Deployments: 1, Changes: 2, ChangeFailures: 1, Recovery: Durations{1, mins(6), mins(6)},
			Failures: []string{"order r2 failed analysis -> rollback"}, Overall: LevelLow},
	}, {
		// v2's canary is rolled back (24.5h, restored 24.55h), then
		// retried by a new operation and promoted (30h): two deployments
		// of revision 2, one failed, one successful; its commit first runs
		// at 30h, 8 hours after it was made.
		name: "a canary retried",
		log: (&log{}).
			deploy(1, "order", 1, 0, 1, "", 0).
			failDeploy(2, "order", 2, 1, 24, 24.5, 24.55, store.EventCanaryRolledBack).
			add(29, "rollout.retry.requested", "order", 2, 3, "").
			deploy(3, "order", 2, 29, 30, "bbbbbbb", 22),
		q: twoWeeks,
		want: figures{Deployments: 2, Changes: 3, ChangeFailures: 1, LeadTime: Durations{1, hrs(8), hrs(8)},
			Recovery: Durations{1, mins(3), mins(3)}, Failures: []string{"order r2 failed analysis -> rollback"}, Overall: LevelLow},
	}, {
		// The first rollback (30h, done 30.5h) blames v2, which runs. The
		// second (40h) takes the service back to v2 from the restored v1:
		// no deployment brought v1 back, so it blames none, and neither
		// rollback is a deployment.
		name: "a rollback of a rollback",
		log: (&log{}).
			deploy(1, "order", 1, 0, 1, "", 0).
			deploy(2, "order", 2, 24, 25, "", 0).
			rollback(3, "order", 1, 30, 30.5).
			rollback(4, "order", 2, 40, 40.25),
		q: twoWeeks,
		want: figures{Deployments: 2, Changes: 2, ChangeFailures: 1, Recovery: Durations{1, mins(30), mins(30)},
			Failures: []string{"order r2 rolled back by a person -> rollback"}, Overall: LevelLow},
	}, {
		// Revision 2 carries commit a again (a configuration change): a
		// deployment, but no new change, so no lead time. Lead times 11h
		// (a, committed at -10h, running at 1h) and 20h (b, 30h -> 50h):
		// median 15h30m, p90 11h + 0.9 x 9h = 19h06m.
		name: "a commit deployed twice",
		log: (&log{}).
			deploy(1, "order", 1, 0, 1, "aaaaaaa", -10).
			deploy(2, "order", 2, 24, 26, "aaaaaaa", -10).
			deploy(3, "order", 3, 48, 50, "bbbbbbb", 30),
		q:    twoWeeks,
		want: figures{Deployments: 3, Changes: 3, LeadTime: Durations{2, hrs(15.5), hrs(19.1)}, Overall: LevelHigh},
	}, {
		// A version pushed with --git carries every commit since the
		// previous one: each gets its lead time (c 2h, b 5h, a 8h at 10h),
		// and a commit carried again (b, at 24h) adds none; d adds 4h.
		// Sorted 2h 4h 5h 8h: median 4h30m, p90 5h + 0.7 x 3h = 7h06m.
		name: "versions carrying several commits",
		log: (&log{}).
			deployCommits(1, "order", 1, 9, 10, [][2]any{{"ccccccc", 8.0}, {"bbbbbbb", 5.0}, {"aaaaaaa", 2.0}}).
			deployCommits(2, "order", 2, 23, 24, [][2]any{{"ddddddd", 20.0}, {"bbbbbbb", 5.0}}),
		q:    twoWeeks,
		want: figures{Deployments: 2, Changes: 2, LeadTime: Durations{4, mins(270), mins(426)}, Overall: LevelHigh},
	}, {
		// Commit a first ran at 1h, before the window: its second
		// deployment (26h, in the window) adds no lead time.
		name: "a commit deployed twice, first before the window",
		log: (&log{}).
			deploy(1, "order", 1, 0, 1, "aaaaaaa", -10).
			deploy(2, "order", 2, 24, 26, "aaaaaaa", -10).
			deploy(3, "order", 3, 48, 50, "bbbbbbb", 30),
		q:    Query{From: hr(12), To: hr(12 + 7*24)},
		want: figures{Deployments: 2, Changes: 2, LeadTime: Durations{1, hrs(20), hrs(20)}, Overall: LevelHigh},
	}, {
		name: "an incident with no cause",
		log: (&log{}).
			deploy(1, "order", 1, 0, 1, "", 0).
			incident(1, "order", 0, 5).
			resolve(1, "order", 6),
		q:    twoWeeks,
		want: figures{Deployments: 1, Changes: 1, Incidents: 1, Unlinked: 1, Overall: LevelMedium},
	}, {
		// Incident 1 blames v2 at 30h and is resolved at 32h: 2 hours.
		// Incident 2 names a revision that never ran: unlinked. The fix
		// (v3) comes after the recovery and changes nothing.
		name: "an incident caused by a revision",
		log: (&log{}).
			deploy(1, "order", 1, 0, 1, "", 0).
			deploy(2, "order", 2, 24, 25, "", 0).
			incident(1, "order", 2, 30).
			resolve(1, "order", 32).
			incident(2, "order", 9, 33).
			deploy(3, "order", 3, 48, 49, "", 0),
		q: twoWeeks,
		want: figures{Deployments: 3, Changes: 3, ChangeFailures: 1, Incidents: 2, Unlinked: 1,
			Recovery: Durations{1, hrs(2), hrs(2)}, Failures: []string{"order r2 incident -> incident resolved"}, Overall: LevelLow},
	}, {
		// The incident (30h) fails v2; the rollback a person asks for
		// then (31h) blames nothing more, and its end (31.5h) is the
		// recovery: 1h30m. Resolving later changes nothing.
		name: "an incident, then a rollback",
		log: (&log{}).
			deploy(1, "order", 1, 0, 1, "", 0).
			deploy(2, "order", 2, 24, 25, "", 0).
			incident(1, "order", 2, 30).
			rollback(3, "order", 1, 31, 31.5).
			resolve(1, "order", 33),
		q: twoWeeks,
		want: figures{Deployments: 2, Changes: 2, ChangeFailures: 1, Incidents: 1,
			Recovery: Durations{1, hrs(1.5), hrs(1.5)}, Failures: []string{"order r2 incident -> rollback"}, Overall: LevelLow},
	}, {
		// v2's incident is still open at the end of the window; the fix
		// (v3 at 49h) ends it: recovery 19h.
		name: "a fix deployed",
		log: (&log{}).
			deploy(1, "order", 1, 0, 1, "", 0).
			deploy(2, "order", 2, 24, 25, "", 0).
			incident(1, "order", 2, 30).
			deploy(3, "order", 3, 48, 49, "", 0),
		q: twoWeeks,
		want: figures{Deployments: 3, Changes: 3, ChangeFailures: 1, Incidents: 1,
			Recovery: Durations{1, hrs(19), hrs(19)}, Failures: []string{"order r2 incident -> fix deployed"}, Overall: LevelLow},
	}, {
		name: "a failure not recovered by the end of the window",
		log: (&log{}).
			deploy(1, "order", 1, 0, 1, "", 0).
			incident(1, "order", 1, 30),
		q: twoWeeks,
		want: figures{Deployments: 1, Changes: 1, ChangeFailures: 1, Unrecovered: 1, Incidents: 1,
			Failures: []string{"order r1 incident -> "}, Overall: LevelLow},
	}, {
		// Window [24h, 72h): one deployment in two days is high. v1 (1h)
		// is before it; v3's rollout ends after it (73h) and is not read;
		// v1's incident began before the window (20h): neither its change
		// nor its recovery counts.
		name: "deployments outside the window",
		log: (&log{}).
			deploy(1, "order", 1, 0, 1, "aaaaaaa", 0).
			incident(1, "order", 1, 20).
			resolve(1, "order", 26).
			deploy(2, "order", 2, 29, 30, "bbbbbbb", 29).
			deploy(3, "order", 3, 70, 73, "ccccccc", 60),
		q:    Query{From: hr(24), To: hr(72)},
		want: figures{Deployments: 1, Changes: 1, LeadTime: Durations{1, hrs(1), hrs(1)}, Overall: LevelHigh},
	}, {
		// A new service whose first deployment never gets ready: the
		// revert removes it, which is its recovery.
		name: "a new service that never got ready",
		log: (&log{}).
			add(0, store.EventRolloutStarted, "order", 0, 1, "").
			add(0.5, store.EventRolloutFailed, "order", 1, 1, "").
			add(0.5, store.EventRollbackStarted, "order", 0, 1, "").
			add(0.6, store.EventServiceRemoved, "order", 0, 1, ""),
		q: twoWeeks,
		want: figures{Changes: 1, ChangeFailures: 1, Recovery: Durations{1, mins(6), mins(6)},
			Failures: []string{"order r1 rollout failed -> service removed"}, Overall: LevelLow},
	}, {
		name: "an environment with no events",
		log:  (&log{}).deploy(1, "order", 1, 0, 1, "", 0),
		q:    Query{Env: "staging", From: t0, To: hr(24 * 14)},
		want: figures{Overall: LevelLow},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			r := Compute(tc.log.evs, tc.q)
			if got := figuresOf(r.Total); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// TestComputeStack checks an apply of two services where the second
// fails: the first, which ran its new revision, is rolled back with the
// operation (a change failure too); a service still rolling out when the
// operation reverts never ran in production and is no deployment.
func TestComputeStack(t *testing.T) {
	l := (&log{}).
		deploy(1, "invoice", 1, 0, 1, "", 0).
		deploy(1, "order", 1, 0, 1, "", 0).
		deploy(1, "shop", 1, 0, 1, "", 0).
		add(24, store.EventRolloutStarted, "invoice", 0, 2, "").
		add(24, store.EventRolloutStarted, "shop", 0, 2, "").
		add(24.5, store.EventRolloutSucceeded, "invoice", 2, 2, "").
		add(24.5, store.EventRolloutStarted, "order", 0, 2, "").
		add(25, store.EventRolloutFailed, "order", 2, 2, "").
		add(25, store.EventRollbackStarted, "invoice", 0, 2, "").
		add(25, store.EventRollbackStarted, "order", 0, 2, "").
		add(25, store.EventRollbackStarted, "shop", 0, 2, "").
		add(25.1, store.EventRolloutSucceeded, "invoice", 1, 2, "").
		add(25.2, store.EventRolloutSucceeded, "order", 1, 2, "").
		add(25.3, store.EventRolloutSucceeded, "shop", 1, 2, "")
	r := Compute(l.evs, twoWeeks)
	want := map[string]figures{
		"invoice": {Deployments: 2, Changes: 2, ChangeFailures: 1, Recovery: Durations{1, mins(6), mins(6)},
			Failures: []string{"invoice r2 reverted with its operation -> rollback"}, Overall: LevelLow},
		"order": {Deployments: 1, Changes: 2, ChangeFailures: 1, Recovery: Durations{1, mins(12), mins(12)},
			Failures: []string{"order r2 rollout failed -> rollback"}, Overall: LevelLow},
		"shop": {Deployments: 1, Changes: 1, Overall: LevelMedium},
	}
	if len(r.Services) != len(want) {
		t.Fatalf("services = %+v", r.Services)
	}
	for _, s := range r.Services {
		if got := figuresOf(s.Metrics); !reflect.DeepEqual(got, want[s.Service]) {
			t.Errorf("%s:\ngot  %+v\nwant %+v", s.Service, got, want[s.Service])
		}
	}
	total := figuresOf(r.Total)
	if total.Deployments != 4 || total.Changes != 5 || total.ChangeFailures != 2 || total.Recovery != (Durations{2, mins(9), hrs(0.19)}) {
		t.Errorf("total = %+v", total)
	}
	if !r.Production || r.Env != DefaultEnvironment {
		t.Errorf("report env = %q, production %v; want %q, true", r.Env, r.Production, DefaultEnvironment)
	}
	one := Compute(l.evs, Query{Service: "order", From: t0, To: hr(24 * 14)})
	if len(one.Services) != 1 || !reflect.DeepEqual(figuresOf(one.Total), want["order"]) {
		t.Errorf("order alone: %+v", one)
	}
	other := Compute(l.evs, Query{Production: "prod", From: t0, To: hr(24 * 14)})
	if other.Env != "prod" || !other.Production || other.Total.Changes != 0 {
		t.Errorf("with production named prod, the default environment's events count: %+v", other)
	}
}

// TestLogMatchesCompute: folding a log in piece by piece, as the API
// does between reads, reports what a full replay does.
func TestLogMatchesCompute(t *testing.T) {
	l := (&log{}).
		deploy(1, "order", 1, 0, 1, "aaaaaaa", -10).
		failDeploy(2, "order", 2, 1, 24, 25, 26, store.EventRolloutFailed).
		deploy(3, "order", 3, 48, 50, "bbbbbbb", 30).
		incident(1, "order", 3, 60).
		deploy(4, "order", 4, 70, 71, "ccccccc", 69)
	q := Query{From: t0, To: t0.Add(14 * 24 * time.Hour)}
	want := Compute(l.evs, q)
	inc := NewLog(DefaultEnvironment)
	for i := 0; i < len(l.evs); i += 3 {
		inc.Add(l.evs[:min(i+3, len(l.evs))]) // overlapping reads: already-seen events are skipped
	}
	if got := inc.Report(q); !reflect.DeepEqual(got, want) {
		t.Fatalf("incremental:\n%+v\nfull replay:\n%+v", got, want)
	}
	if inc.Seq() != int64(len(l.evs)) {
		t.Errorf("Seq %d, want %d", inc.Seq(), len(l.evs))
	}
}
