package cli_test

import (
	"github.com/slipway-dev/slipway/api"
)

// The fields of the parallel-run fixtures, as the server's comparison
// reports them.
var (
	suggestionsDiffer = api.MirrorField{Field: "$.suggestions[0]", Differences: 1, Rate: 0.025, Mismatch: true,
		Samples: []api.MirrorSample{{Method: "GET", Path: "/suggest", Field: "$.suggestions[0]", Primary: `"cart"`, Candidate: `"car"`}}}
	requestIDNoise = api.MirrorField{Field: "$.requestId", Differences: 40, Rate: 1, Noise: 40, NoiseRate: 1,
		Samples: []api.MirrorSample{{Method: "GET", Path: "/suggest", Field: "$.requestId", Primary: `"a1"`, Candidate: `"b7"`}}}
	tookNoise = api.MirrorField{Field: "$.took", Differences: 200, Rate: 1, Noise: 198, NoiseRate: 1}
	scoreRare = api.MirrorField{Field: "$.results[*].score", Differences: 1, Rate: 0.005,
		Samples: []api.MirrorSample{{Method: "GET", Path: "/search", Field: "$.results[*].score", Primary: "0.91", Candidate: "0.9"}}}
	statusDiffers = api.MirrorField{Field: "status", Differences: 30, Rate: 0.15, Mismatch: true,
		Samples: []api.MirrorSample{
			{Method: "GET", Path: "/search", Field: "status", Primary: "200", Candidate: "500"},
			{Method: "GET", Path: "/search", Field: "status", Primary: "200", Candidate: "503"},
		}}
	resultsGone = api.MirrorField{Field: "$.results", Differences: 30, Rate: 0.15, Mismatch: true,
		Samples: []api.MirrorSample{{Method: "GET", Path: "/search", Field: "$.results", Primary: `[{"id":7}]`, Candidate: "(absent)"}}}
	bodyDiffers = api.MirrorField{Field: "body", Differences: 2, Rate: 0.05, Mismatch: true,
		Samples: []api.MirrorSample{{Method: "GET", Path: "/suggest", Field: "body", Primary: `{"suggestions":[]}`, Candidate: "upstream timeout\n"}}}
)

// waitingSearch is service search starting its parallel run r5 against
// stable r4: the candidate's instances are not all ready yet.
func waitingSearch() api.Service {
	return api.Service{Name: "search", Revision: 5, Stable: 4, Phase: "Progressing", Desired: 2, Ready: 1, Route: "/search",
		Message:     "parallel run of revision 5: waiting for its instances",
		Traffic:     &api.Traffic{Active: 4},
		ParallelRun: &api.ParallelRun{Revision: 5, Stable: 4, Percent: 100, MaxMismatchRate: 0.01, MinRequests: 100},
	}
}

// earlySearch is search mirroring for a minute: 40 requests compared,
// too few to judge.
func earlySearch() api.Service {
	s := waitingSearch()
	s.Ready, s.Message = 2, "parallel run of revision 5: 40 of 100 requests compared so far; judged at 22:11:03"
	s.Traffic = &api.Traffic{Active: 4, Mirror: 5, MirrorPercent: 100}
	p := s.ParallelRun
	p.Started, p.Ends = at(0), at(600)
	p.Verdict, p.VerdictReason = "waiting", "40 of 100 requests compared so far"
	p.Report = &api.MirrorReport{Compared: 40, Routes: []api.MirrorRoute{
		{Route: "GET /search", Compared: 40, NoiseSamples: 40, Fields: []api.MirrorField{
			{Field: "$.took", Differences: 40, Rate: 1, Noise: 40, NoiseRate: 1}}},
	}}
	return s
}

// mirroringSearch is search six minutes into its run: 240 compared, one
// suggestion that differs beyond noise, within the 1% limit.
func mirroringSearch() api.Service {
	s := earlySearch()
	const reason = "0.42% of 240 compared requests differ beyond noise (1), within the limit 1%"
	s.Message = "parallel run of revision 5: " + reason + "; judged at 22:11:03"
	p := s.ParallelRun
	p.Verdict, p.VerdictReason = "passed", reason
	p.Report = &api.MirrorReport{Compared: 240, Mismatched: 1, MismatchRate: 1.0 / 240, Dropped: 3, Routes: []api.MirrorRoute{
		{Route: "GET /suggest", Compared: 40, Mismatched: 1, MismatchRate: 0.025, NoiseSamples: 40,
			Fields: []api.MirrorField{suggestionsDiffer, requestIDNoise}},
		{Route: "GET /search", Compared: 200, NoiseSamples: 198, Fields: []api.MirrorField{tookNoise, scoreRare}},
	}}
	return s
}

// promotedSearch is search once its run passed: r5 takes all traffic.
func promotedSearch() api.Service {
	s := mirroringSearch()
	s.Stable, s.Phase, s.Traffic = 5, "Ready", &api.Traffic{Active: 5}
	p := s.ParallelRun
	p.Outcome, p.Reason, p.Ended = "Promoted", "answers match: "+p.VerdictReason, at(600)
	s.Message = "parallel run of revision 5 promoted: " + p.Reason
	return s
}

// rolledBackSearch is search after its candidate answered 500 to 15% of
// GET /search and timed out on 5% of GET /suggest: rejected at the end of the run, all users still on r4.
func rolledBackSearch() api.Service {
	s := earlySearch()
	const verdict = "13.33% of 240 compared requests differ beyond noise (32), above the limit 1%; most: GET /search status (30 times, noise 0%)"
	s.Phase, s.Traffic = "Failed", &api.Traffic{Active: 4}
	p := s.ParallelRun
	p.Verdict, p.VerdictReason = "failed", verdict
	p.Outcome, p.Reason, p.Ended = "RolledBack", "answers differ: "+verdict, at(600)
	s.Message = "parallel run of revision 5 rolled back: " + p.Reason
	p.Report = &api.MirrorReport{Compared: 240, Mismatched: 32, MismatchRate: 32.0 / 240, Routes: []api.MirrorRoute{
		{Route: "GET /search", Compared: 200, Mismatched: 30, MismatchRate: 0.15, NoiseSamples: 198,
			Fields: []api.MirrorField{statusDiffers, resultsGone, tookNoise}},
		{Route: "GET /suggest", Compared: 40, Mismatched: 2, MismatchRate: 0.05, NoiseSamples: 40,
			Fields: []api.MirrorField{bodyDiffers, requestIDNoise}},
	}}
	return s
}
