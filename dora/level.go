package dora

import "time"

// LevelsYear is the year of the Accelerate State of DevOps report whose
// performance levels Rate uses; LevelsSource names it.
const (
	LevelsYear   = 2024
	LevelsSource = "Accelerate State of DevOps Report 2024 (DORA, Google Cloud): software delivery performance levels"
)

// Level is a software delivery performance level; LevelNone means a
// figure had nothing to rate (no failures: no recovery time).
//
//	LevelNone < LevelLow < LevelMedium < LevelHigh < LevelElite
type Level int

// Levels.
const (
	LevelNone Level = iota
	LevelLow
	LevelMedium
	LevelHigh
	LevelElite
)

func (l Level) String() string {
	return [...]string{"", "low", "medium", "high", "elite"}[l]
}

// MarshalText writes the level's name.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// Ratings are each figure's level, and Overall the team's.
type Ratings struct {
	DeploymentFrequency, LeadTime, ChangeFailureRate, RecoveryTime Level
	// Overall is the best level whose every bound the rated figures
	// meet (low when none is).
	Overall Level
}

// bound is what a level asks of each figure, from the 2024 report's
// table of performance levels:
//
//	level   deployment frequency             lead time          change fail rate  recovery time
//	elite   on demand (multiple per day)     less than one day  5%                less than one hour
//	high    once per day to once per week    one day to a week  20%               less than one day
//	medium  once per week to once per month  a week to a month  10%               less than one day
//	low     once per month to every 6 months 1 to 6 months      40%               one week to a month
//
// Frequencies are lower bounds (elite: more than one a day, on average
// over the window; a month is 30 days); lead and recovery times are
// upper bounds on the median (strictly less); change failure rates are
// upper bounds (at most). The report's levels are clusters of survey
// answers, not thresholds: in 2024 the medium cluster had a lower change
// failure rate than the high one, and the two share "less than one day"
// of recovery. Taken as bounds, a team that deploys weekly to monthly
// with a 15% change failure rate meets no level but low.
type bound struct {
	level      Level
	perDay     float64 // deployments per day at least (elite: more than)
	strict     bool    // perDay must be exceeded
	leadTime   time.Duration
	failRate   float64
	recoveryIn time.Duration
}

var bounds2024 = []bound{
	{LevelElite, 1, true, 24 * time.Hour, 0.05, time.Hour},
	{LevelHigh, 1.0 / 7, false, 7 * 24 * time.Hour, 0.20, 24 * time.Hour},
	{LevelMedium, 1.0 / 30, false, 30 * 24 * time.Hour, 0.10, 24 * time.Hour},
}

// Rate rates m's figures and the team overall.
func Rate(m Metrics) Ratings {
	r := Ratings{Overall: LevelLow, DeploymentFrequency: LevelLow}
	leadRated, failRated, recoveryRated := m.LeadTime.Count > 0, m.Changes > 0, m.Recovery.Count > 0
	if leadRated {
		r.LeadTime = LevelLow
	}
	if failRated {
		r.ChangeFailureRate = LevelLow
	}
	if recoveryRated {
		r.RecoveryTime = LevelLow
	}
	for _, b := range bounds2024 { // best first
		freq := b.frequencyMet(m)
		lead := !leadRated || m.LeadTime.Median < b.leadTime
		fail := !failRated || m.ChangeFailureRate <= b.failRate
		recovery := !recoveryRated || m.Recovery.Median < b.recoveryIn
		r.DeploymentFrequency = better(r.DeploymentFrequency, freq, b.level)
		r.LeadTime = better(r.LeadTime, lead && leadRated, b.level)
		r.ChangeFailureRate = better(r.ChangeFailureRate, fail && failRated, b.level)
		r.RecoveryTime = better(r.RecoveryTime, recovery && recoveryRated, b.level)
		if freq && lead && fail && recovery {
			r.Overall = better(r.Overall, true, b.level)
		}
	}
	return r
}

// frequencyMet compares deployments per day. Division is correctly
// rounded, so 13 deployments in 91 days is exactly the double nearest
// 1/7, as is 1.0/7: a whole number per week or month compares exactly.
func (b bound) frequencyMet(m Metrics) bool {
	if b.strict {
		return m.PerDay > b.perDay
	}
	return m.PerDay >= b.perDay
}

// better returns l, raised to level when ok.
func better(l Level, ok bool, level Level) Level {
	if ok && level > l {
		return level
	}
	return l
}
