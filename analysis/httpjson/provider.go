package httpjson

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/slipway-dev/slipway/analysis"
)

// DefaultTimeout bounds one Measure when Config.Timeout is zero.
const DefaultTimeout = 5 * time.Second

// Config says how to send the checks.
type Config struct {
	// Timeout bounds one Measure, reading the body included; zero means
	// DefaultTimeout.
	Timeout time.Duration
	// HTTPClient sends the requests; nil means http.DefaultClient.
	HTTPClient *http.Client
}

// Provider measures a JSON field of an HTTP answer. It is safe for
// concurrent use.
type Provider struct {
	client  *http.Client
	timeout time.Duration
}

var _ analysis.Provider = (*Provider)(nil)

// New returns a Provider. It does no I/O.
func New(cfg Config) *Provider {
	p := &Provider{client: cfg.HTTPClient, timeout: cfg.Timeout}
	if p.client == nil {
		p.client = http.DefaultClient
	}
	if p.timeout <= 0 {
		p.timeout = DefaultTimeout
	}
	return p
}

// Measure GETs q.URL (placeholders expanded) and returns the number at
// q.JSONPath as the Value, with Count 1.
func (p *Provider) Measure(ctx context.Context, q analysis.Query) (analysis.Observation, error) {
	if q.Compare {
		return analysis.Observation{}, fmt.Errorf("http check comparison: %w", analysis.ErrUnsupported)
	}
	if q.URL == "" {
		return analysis.Observation{}, errors.New("http check: no URL")
	}
	f, err := parseField(q.JSONPath)
	if err != nil {
		return analysis.Observation{}, fmt.Errorf("http check: %w", err)
	}
	url := q.Expand(q.URL)
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	body, err := p.get(ctx, url)
	if err != nil {
		return analysis.Observation{}, fmt.Errorf("http check GET %s: %w", url, err)
	}
	v, err := pick(body, f)
	if err != nil {
		return analysis.Observation{}, fmt.Errorf("http check GET %s: %w", url, err)
	}
	return analysis.Observation{Value: v, Count: 1}, nil
}
