package notify

import "time"

// Backoff is how long a lane waits before attempting a failed delivery
// again: Base doubled for each failure in a row, at most Max, with
// jitter so that destinations failing together do not retry together.
type Backoff struct {
	Base, Max time.Duration
}

// DefaultBackoff retries after about 1s, 2s, 4s ... and then every 5
// minutes at most.
var DefaultBackoff = Backoff{Base: time.Second, Max: 5 * time.Minute}

// Delay is the wait after the failures-th failure in a row (from 1);
// r, in [0, 1), picks the jitter: the wait is in [d/2, d) where d is
// the exponential delay.
func (b Backoff) Delay(failures int, r float64) time.Duration {
	d := b.Base
	for i := 1; i < failures && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	return d/2 + time.Duration(r*float64(d/2))
}
