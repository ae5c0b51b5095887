package prometheus

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"

	"github.com/slipway-dev/slipway/analysis"
)

// DefaultTimeout bounds one Measure when Config.Timeout is zero.
const DefaultTimeout = 5 * time.Second

// defaultStep is a comparison's sample spacing when Query.Step is zero.
const defaultStep = time.Second

// Config says which Prometheus to ask and how.
type Config struct {
	// URL is Prometheus's base URL, e.g. http://127.0.0.1:9090.
	URL string
	// Timeout bounds one Measure, both queries of a comparison included;
	// zero means DefaultTimeout. Prometheus is told it too, so it stops
	// evaluating a query nobody waits for.
	Timeout time.Duration
	// HTTPClient sends the requests; nil means the client library's default.
	HTTPClient *http.Client
	// Clock gives now, the end of every query; nil means time.Now.
	Clock func() time.Time
}

// Provider measures PromQL queries against one Prometheus. It is safe for
// concurrent use.
type Provider struct {
	api     v1.API
	timeout time.Duration
	now     func() time.Time
}

var _ analysis.Provider = (*Provider)(nil)

// New returns a Provider for the Prometheus at cfg.URL. It does no I/O: an
// unreachable Prometheus shows as Measure errors.
func New(cfg Config) (*Provider, error) {
	if cfg.URL == "" {
		return nil, errors.New("prometheus: no URL")
	}
	client, err := api.NewClient(api.Config{Address: cfg.URL, Client: cfg.HTTPClient})
	if err != nil {
		return nil, fmt.Errorf("prometheus %s: %w", cfg.URL, err)
	}
	p := &Provider{api: v1.NewAPI(client), timeout: cfg.Timeout, now: cfg.Clock}
	if p.timeout <= 0 {
		p.timeout = DefaultTimeout
	}
	if p.now == nil {
		p.now = time.Now
	}
	return p, nil
}

// Measure runs q.PromQL, with its placeholders expanded: an instant query
// for one value, or a range query per side when q.Compare is set.
func (p *Provider) Measure(ctx context.Context, q analysis.Query) (analysis.Observation, error) {
	if q.PromQL == "" {
		return analysis.Observation{}, errors.New("prometheus: no query")
	}
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	if q.Compare {
		return p.compare(ctx, q)
	}
	return p.instant(ctx, q.Expand(q.PromQL))
}
