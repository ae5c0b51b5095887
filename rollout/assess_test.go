package rollout

import (
	"testing"
	"time"

	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/workload"
)

func TestNextDeadline(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	const window = 30 * time.Second
	tests := []struct {
		name       string
		deadline   time.Time
		progressed time.Time
		want       time.Time
	}{
		{"no progress yet keeps the deadline", at(30), time.Time{}, at(30)},
		{"progress moves it to a window after", at(30), at(20), at(50)},
		{"progress older than the deadline's window keeps it", at(90), at(20), at(90)},
		{"progress exactly a window before keeps it", at(50), at(20), at(50)},
		{"no deadline (none running, awaiting promotion) stays none", time.Time{}, at(20), time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := store.Service{Phase: store.PhaseProgressing, Deadline: tt.deadline}
			got := nextDeadline(svc, workload.Plan{Progressed: tt.progressed}, window)
			if !got.Equal(tt.want) {
				t.Fatalf("nextDeadline = %v, want %v", got, tt.want)
			}
		})
	}
}
