package workload

import "time"

// RestartPolicy sets how crashed instances are restarted: after a delay
// that doubles with each consecutive crash up to Max. An instance that
// stayed up for Reset starts over at Initial.
type RestartPolicy struct {
	Initial time.Duration
	Max     time.Duration
	Reset   time.Duration
	// CrashLoop is the number of consecutive crashes from which the
	// instance is reported as crash-looping (it is still restarted).
	CrashLoop int
}

// DefaultRestartPolicy restarts at once-ish and backs off to 30s.
func DefaultRestartPolicy() RestartPolicy {
	return RestartPolicy{Initial: 500 * time.Millisecond, Max: 30 * time.Second, Reset: 10 * time.Minute, CrashLoop: 3}
}

// Backoff returns the delay before restart number crashes (1-based).
func (rp RestartPolicy) Backoff(crashes int) time.Duration {
	d := rp.Initial
	for i := 1; i < crashes && d < rp.Max; i++ {
		d *= 2
	}
	return min(d, rp.Max)
}

// CrashLooping reports whether so many consecutive crashes is a loop.
func (rp RestartPolicy) CrashLooping(crashes int) bool {
	return rp.CrashLoop > 0 && crashes >= rp.CrashLoop
}
