package dora

import "testing"

func TestTrendBucketsByWeek(t *testing.T) {
	var l log
	l.deploy(1, "order", 1, 1, 2, "", 0)             // week 1
	l.deploy(2, "order", 2, 24, 25, "", 0)           // week 1
	l.deploy(3, "order", 3, 7*24+1, 7*24+2, "", 0)   // week 2
	l.incident(1, "order", 3, 7*24+5)                // week 2: r3 caused it
	l.resolve(1, "order", 7*24+6)                    //
	l.deploy(4, "order", 4, 21*24+1, 21*24+2, "", 0) // week 4 (week 3 is quiet)
	lg := NewLog(DefaultEnvironment)
	lg.Add(l.evs)
	weeks := lg.Trend(Query{To: t0.AddDate(0, 0, 28)}, 4)
	if len(weeks) != 4 || !weeks[0].From.Equal(t0) || !weeks[3].To.Equal(t0.AddDate(0, 0, 28)) {
		t.Fatalf("weeks %+v; want 4 from t0", weeks)
	}
	for i, want := range []struct{ deploys, failures int }{{2, 0}, {1, 1}, {0, 0}, {1, 0}} {
		w := weeks[i]
		if w.Deployments != want.deploys || w.ChangeFailures != want.failures {
			t.Errorf("week %d: %d deploys, %d failures; want %d, %d", i+1, w.Deployments, w.ChangeFailures, want.deploys, want.failures)
		}
	}
	w2 := weeks[1]
	if len(w2.Failures) != 1 || w2.Failures[0].Revision != 3 || w2.Failures[0].Incident != 1 {
		t.Errorf("week 2's failure: %+v; want r3 through incident 1", w2.Failures)
	}
	if rt, ok := w2.Failures[0].RecoveryTime(); !ok || rt != hrs(1) {
		t.Errorf("week 2's recovery: %v %v", rt, ok)
	}
	if w2.Ratings.ChangeFailureRate == weeks[0].Ratings.ChangeFailureRate {
		t.Errorf("each week is rated on its own: %v and %v", weeks[0].Ratings, w2.Ratings)
	}
	if n := len(lg.Trend(Query{To: t0}, 1000)); n != MaxWeeks {
		t.Errorf("a trend of 1000 weeks has %d; want at most %d", n, MaxWeeks)
	}
}
