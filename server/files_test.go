package server

import (
	"testing"

	"github.com/slipway-dev/slipway/router/front"
)

func TestRouterLimits(t *testing.T) {
	cases := []struct {
		name       string
		max, perIP int
		soft       uint64
		want       front.Limits
	}{
		{"derived: half of what the reserve leaves", 0, 0, 1024, front.Limits{MaxConns: (1024 - fileReserve) / 2}},
		{"derived from a tiny limit: at least one", 0, 0, 300, front.Limits{MaxConns: 1}},
		{"set", 5000, 50, 1024, front.Limits{MaxConns: 5000, MaxConnsPerIP: 50}},
		{"no bound, asked for", -1, 0, 1024, front.Limits{}},
		{"the open files limit unknown: no bound", 0, 0, 0, front.Limits{}},
	}
	for _, tc := range cases {
		got := routerLimits(Config{RouterMaxConns: tc.max, RouterMaxConnsPerIP: tc.perIP}, tc.soft)
		if got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
