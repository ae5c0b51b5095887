package main

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// sample is one measured bad canary. Times are wall-clock: the server's
// event times and the client's send times come from the same machine.
type sample struct {
	stepAt       time.Time     // the "setWeight 10" event: the router is told to send the canary traffic
	backAt       time.Time     // the rolled_back event: all traffic back on stable
	firstV2      time.Time     // send time of the first answer from v2
	lastV2       time.Time     // send time of the last answer from v2
	applyToStep  time.Duration // from the apply to the setWeight event (the canary starting)
	sent         int           // user requests sent from the apply to the end of the tail
	failed       int           // of which failed (5xx or no answer)
	v2           int           // of which answered by v2
	failedBefore int           // requests that failed before the apply (steady v1: should be 0)
	reason       string        // the rollback's message
	rate         int           // requests per second sent
	v2Errors     []time.Time   // send times of the canary's errors (500s), in order
	cross        crossing      // the judge's decision, from the rolled_back event's record
}

// newSample reads the canary's events and the user's answers: it is an
// error if the canary never took traffic or was not rolled back.
func newSample(evs []api.Event, answers []answer, appliedAt time.Time, rate int) (sample, error) {
	s := sample{rate: rate}
	step, ok := findEvent(evs, stepEvent, "setWeight "+strconv.Itoa(weight))
	if !ok {
		return s, fmt.Errorf("no %s event \"setWeight %d\" after the apply: the canary never started", stepEvent, weight)
	}
	back, ok := findEvent(evs, rolledBackEvent, "")
	if !ok {
		return s, fmt.Errorf("no %s event: the canary was not rolled back", rolledBackEvent)
	}
	s.stepAt, s.backAt, s.reason = step.Time, back.Time, back.Message
	s.cross = findCrossing(back.Data)
	s.applyToStep = step.Time.Sub(appliedAt)
	for _, a := range answers {
		s.count(a, appliedAt)
	}
	slices.SortFunc(s.v2Errors, time.Time.Compare)
	if s.v2 == 0 {
		return s, fmt.Errorf("no user request was answered by v2 (%d sent): the canary never took traffic", s.sent)
	}
	if late := s.lastV2.Sub(s.backAt); late > settle {
		return s, fmt.Errorf("v2 still answered a request sent %s after its rollback: traffic was not back on stable", late.Round(time.Millisecond))
	}
	return s, nil
}

// count adds one answer.
func (s *sample) count(a answer, appliedAt time.Time) {
	if a.sent.Before(appliedAt) {
		if a.failed() {
			s.failedBefore++
		}
		return
	}
	s.sent++
	if a.failed() {
		s.failed++
	}
	if a.version != "v2" && !a.canaryError() {
		return
	}
	if a.canaryError() {
		s.v2Errors = append(s.v2Errors, a.sent)
	}
	s.v2++
	if s.firstV2.IsZero() || a.sent.Before(s.firstV2) {
		s.firstV2 = a.sent
	}
	if a.sent.After(s.lastV2) {
		s.lastV2 = a.sent
	}
}

// serverTime is time to rollback as the server saw it: from the
// setWeight event to the rolled_back event.
func (s sample) serverTime() time.Duration { return s.backAt.Sub(s.stepAt) }

// clientTime is time to rollback as the users saw it: from the first
// request v2 answered to the last one.
func (s sample) clientTime() time.Duration { return s.lastV2.Sub(s.firstV2) }

// expected is the failures to expect while the canary had its weight for
// d: weight x rate x error rate x d.
func (s sample) expected(d time.Duration) float64 {
	return float64(weight) / 100 * float64(s.rate) * failRate * d.Seconds()
}

func (s sample) String() string {
	return fmt.Sprintf("setWeight %d %s after the apply; first v2 answer %s after it; rolled back after %s (client: %s, last v2 answer %s from the event); "+
		"%d of %d requests failed (%d answered by v2; %d failed before the apply); %s",
		weight, secs(s.applyToStep), signed(s.firstV2.Sub(s.stepAt)), secs(s.serverTime()), secs(s.clientTime()), signed(s.lastV2.Sub(s.backAt)),
		s.failed, s.sent, s.v2, s.failedBefore, s.reason)
}

func secs(d time.Duration) string { return fmt.Sprintf("%.3fs", d.Seconds()) }

// signed is a short duration with its sign: "+12ms", "-3ms".
func signed(d time.Duration) string {
	d = d.Round(time.Millisecond)
	if d >= 0 {
		return "+" + d.String()
	}
	return d.String()
}
