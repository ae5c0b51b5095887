package dora

import (
	"testing"
	"time"
)

func TestRate(t *testing.T) {
	const day = 24 * time.Hour
	elite := Metrics{Deployments: 200, PerDay: 2, LeadTime: Durations{Count: 5, Median: 3 * time.Hour},
		Changes: 200, ChangeFailureRate: 0.05, Recovery: Durations{Count: 10, Median: 30 * time.Minute}}
	with := func(edit func(*Metrics)) Metrics { m := elite; edit(&m); return m }
	for _, tc := range []struct {
		name string
		m    Metrics
		want Ratings
	}{
		{"elite on every figure", elite, Ratings{LevelElite, LevelElite, LevelElite, LevelElite, LevelElite}},
		{"nothing deployed", Metrics{}, Ratings{DeploymentFrequency: LevelLow, Overall: LevelLow}},
		{"one deployment a day is not several", with(func(m *Metrics) { m.PerDay = 1 }),
			Ratings{LevelHigh, LevelElite, LevelElite, LevelElite, LevelHigh}},
		{"once a week", with(func(m *Metrics) { m.PerDay = 13.0 / 91 }),
			Ratings{LevelHigh, LevelElite, LevelElite, LevelElite, LevelHigh}},
		{"just under once a week", with(func(m *Metrics) { m.PerDay = 12.0 / 91 }),
			Ratings{LevelMedium, LevelElite, LevelElite, LevelElite, LevelMedium}},
		{"once a month", with(func(m *Metrics) { m.PerDay = 3.0 / 90 }),
			Ratings{LevelMedium, LevelElite, LevelElite, LevelElite, LevelMedium}},
		{"under once a month", with(func(m *Metrics) { m.PerDay = 2.0 / 90 }),
			Ratings{LevelLow, LevelElite, LevelElite, LevelElite, LevelLow}},
		{"lead time of exactly one day", with(func(m *Metrics) { m.LeadTime.Median = day }),
			Ratings{LevelElite, LevelHigh, LevelElite, LevelElite, LevelHigh}},
		{"lead time of a month", with(func(m *Metrics) { m.LeadTime.Median = 30 * day }),
			Ratings{LevelElite, LevelLow, LevelElite, LevelElite, LevelLow}},
		{"lead time not known", with(func(m *Metrics) { m.LeadTime = Durations{} }),
			Ratings{LevelElite, LevelNone, LevelElite, LevelElite, LevelElite}},
		{"change failure rate over 5%", with(func(m *Metrics) { m.ChangeFailureRate = 0.06 }),
			Ratings{LevelElite, LevelElite, LevelHigh, LevelElite, LevelHigh}},
		{"change failure rate over 20%", with(func(m *Metrics) { m.ChangeFailureRate = 0.21 }),
			Ratings{LevelElite, LevelElite, LevelLow, LevelElite, LevelLow}},
		// 2024's twist: medium's cluster failed less (10%) than high's
		// (20%); weekly-to-monthly deployments with 15% meet neither.
		{"medium frequency, 15% change failure rate", with(func(m *Metrics) { m.PerDay, m.ChangeFailureRate = 0.05, 0.15 }),
			Ratings{LevelMedium, LevelElite, LevelHigh, LevelElite, LevelLow}},
		{"medium frequency, 10% change failure rate", with(func(m *Metrics) { m.PerDay, m.ChangeFailureRate = 0.05, 0.10 }),
			Ratings{LevelMedium, LevelElite, LevelHigh, LevelElite, LevelMedium}},
		{"recovery of exactly one hour", with(func(m *Metrics) { m.Recovery.Median = time.Hour }),
			Ratings{LevelElite, LevelElite, LevelElite, LevelHigh, LevelHigh}},
		{"recovery of a day", with(func(m *Metrics) { m.Recovery.Median = day }),
			Ratings{LevelElite, LevelElite, LevelElite, LevelLow, LevelLow}},
		{"no failures to recover from", with(func(m *Metrics) { m.Recovery = Durations{}; m.ChangeFailureRate = 0 }),
			Ratings{LevelElite, LevelElite, LevelElite, LevelNone, LevelElite}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Rate(tc.m); got != tc.want {
				t.Errorf("Rate = %+v\nwant   %+v", got, tc.want)
			}
		})
	}
}

func TestLevelText(t *testing.T) {
	for l, want := range map[Level]string{LevelNone: "", LevelLow: "low", LevelMedium: "medium", LevelHigh: "high", LevelElite: "elite"} {
		if b, _ := l.MarshalText(); string(b) != want || l.String() != want {
			t.Errorf("level %d = %q, want %q", int(l), b, want)
		}
	}
}
