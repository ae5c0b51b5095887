// Package ratelimit is a token bucket per key (an API token's name, a
// socket peer): each key may make Rate requests a second on average and
// Burst at once.
package ratelimit

import (
	"math"
	"sync"
	"time"
)

// Limiter holds one bucket per key. Its zero value is not usable: make
// one with New. It is safe for concurrent use.
type Limiter struct {
	rate  float64 // tokens added per second
	burst float64 // a bucket's size
	now   func() time.Time

	mu      sync.Mutex // guards buckets
	buckets map[string]*bucket
}

// bucket is one key's tokens at a moment.
type bucket struct {
	tokens float64
	at     time.Time
}

// New returns a limiter of rate requests a second and burst at once per
// key, on the clock now. A rate <= 0 allows everything.
func New(rate float64, burst int, now func() time.Time) *Limiter {
	return &Limiter{rate: rate, burst: math.Max(1, float64(burst)), now: now, buckets: map[string]*bucket{}}
}

// Allow takes a token from key's bucket. When there is none it returns
// false and how long until there is one (what Retry-After says).
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	if l == nil || l.rate <= 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	return false, wait
}
