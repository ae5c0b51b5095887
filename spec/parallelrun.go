package spec

import (
	"slices"
	"time"

	"github.com/slipway-dev/slipway/mirror"
)

// Defaults of a parallel run.
const (
	DefaultMirrorPercent       = 100
	DefaultMaxMismatchRate     = 0.01
	DefaultParallelRunDuration = 10 * time.Minute
	DefaultMinRequests         = 100
)

// DefaultCompareHeaders are the response headers a parallel run compares
// when the spec names none.
func DefaultCompareHeaders() []string { return []string{"Content-Type"} }

// ParallelRun starts the candidate revision beside stable without giving
// it users: the router sends it a copy of live requests, users only ever
// see stable's answer, and the two answers are compared (package
// mirror). Noise is cancelled by also asking a second stable instance: a
// field counts only when the candidate differs more often than stable
// differs from itself. After Duration, the candidate is promoted if at
// most MaxMismatchRate of at least MinRequests compared requests
// differed, and rolled back otherwise.
type ParallelRun struct {
	// MirrorPercent is the percentage of requests (0..100) copied to the
	// candidate (default 100).
	MirrorPercent *int `yaml:"mirrorPercent,omitempty" json:"mirrorPercent"`
	// Compare says what of the answers is compared.
	Compare ParallelCompare `yaml:"compare,omitempty" json:"compare"`
	// MaxMismatchRate is the share of compared requests (in (0, 1])
	// that may differ beyond the noise for the candidate to be promoted
	// (default 0.01).
	MaxMismatchRate float64 `yaml:"maxMismatchRate,omitempty" json:"maxMismatchRate"`
	// Duration is how long requests are mirrored before the verdict
	// (default 10m).
	Duration Duration `yaml:"duration,omitempty" json:"duration"`
	// MinRequests is how many requests must be compared for the run to
	// pass; fewer at the end fails it (default 100).
	MinRequests int `yaml:"minRequests,omitempty" json:"minRequests"`
	// Unsafe also mirrors POST, PUT, PATCH and DELETE (any method but
	// GET, HEAD, OPTIONS and TRACE). Only for a candidate whose writes
	// go nowhere real: the copies are sent for real.
	Unsafe bool `yaml:"unsafe,omitempty" json:"unsafe,omitempty"`
	// ProgressDeadline bounds the time for the candidate's instances to
	// become ready (default 2m); the run itself is bounded by Duration.
	ProgressDeadline Duration `yaml:"progressDeadline,omitempty" json:"progressDeadline"`
}

// ParallelCompare says what of two answers is compared: always the
// status, the chosen headers, and the body (JSON field by field, or
// bytes).
type ParallelCompare struct {
	// IgnoreHeaders are never compared, even under "*" (Date).
	IgnoreHeaders []string `yaml:"ignoreHeaders,omitempty" json:"ignoreHeaders,omitempty"`
	// Headers are the response headers compared (default Content-Type);
	// "*" compares all of them but IgnoreHeaders.
	Headers []string `yaml:"headers,omitempty" json:"headers,omitempty"`
	// IgnoreJSONPaths are JSON fields left out, with everything below
	// them: $.requestId, $.items[*].id, $['odd.key'].
	IgnoreJSONPaths []string `yaml:"ignoreJsonPaths,omitempty" json:"ignoreJsonPaths,omitempty"`
}

// Options returns the comparison as package mirror takes it.
func (c ParallelCompare) Options() mirror.Options {
	return mirror.Options{
		Headers:         slices.Clone(c.Headers),
		IgnoreHeaders:   slices.Clone(c.IgnoreHeaders),
		IgnoreJSONPaths: slices.Clone(c.IgnoreJSONPaths),
	}
}

// Percent returns the percentage of requests mirrored.
func (p *ParallelRun) Percent() int {
	if p.MirrorPercent == nil {
		return DefaultMirrorPercent
	}
	return *p.MirrorPercent
}

func (p *ParallelRun) applyDefaults() {
	if p.MirrorPercent == nil {
		p.MirrorPercent = ptr(DefaultMirrorPercent)
	}
	if p.MaxMismatchRate == 0 {
		p.MaxMismatchRate = DefaultMaxMismatchRate
	}
	orDefault(&p.Duration, DefaultParallelRunDuration)
	if p.MinRequests == 0 {
		p.MinRequests = DefaultMinRequests
	}
	if len(p.Compare.Headers) == 0 {
		p.Compare.Headers = DefaultCompareHeaders()
	}
	orDefault(&p.ProgressDeadline, DefaultProgressDeadline)
}

// clone returns a deep copy of p.
func (p *ParallelRun) clone() *ParallelRun {
	if p == nil {
		return nil
	}
	c := *p
	c.MirrorPercent = clonePtr(p.MirrorPercent)
	c.Compare.IgnoreHeaders = slices.Clone(p.Compare.IgnoreHeaders)
	c.Compare.Headers = slices.Clone(p.Compare.Headers)
	c.Compare.IgnoreJSONPaths = slices.Clone(p.Compare.IgnoreJSONPaths)
	return &c
}
