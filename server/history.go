package server

import (
	"github.com/slipway-dev/slipway/history"
)

// newHistory returns the recorder of an environment's traffic: it
// samples the router's metrics and the rollouts' weights every few
// seconds while the environment runs (runEnv), for the API's
// /v1/history and the dashboard's charts.
func (s *Server) newHistory(p *parts) *history.Recorder {
	return history.New(history.Config{Store: p.store, Metrics: p.metrics, Clock: s.cfg.Clock,
		Logger: s.cfg.Logger.With("env", p.name)})
}
