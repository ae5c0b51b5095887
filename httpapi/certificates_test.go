package httpapi

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/store"
)

// TestLatestCertificates: each host's last event is its state, a
// renewal says renewed, failures come first.
func TestLatestCertificates(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)
	ev := func(min int, typ store.EventType, d store.CertificateData) store.Event {
		raw, _ := json.Marshal(d)
		return store.Event{Time: t0.Add(time.Duration(min) * time.Minute), Type: typ, Data: raw}
	}
	got := latestCertificates([]store.Event{
		ev(0, store.EventCertificateObtained, store.CertificateData{Host: "a.example"}),
		ev(1, store.EventCertificateObtained, store.CertificateData{Host: "b.example"}),
		ev(2, store.EventCertificateFailed, store.CertificateData{Host: "b.example", Renewal: true, Error: "connection refused"}),
		ev(3, store.EventCertificateObtained, store.CertificateData{Host: "a.example", Renewal: true}),
		ev(4, store.EventCertificateFailed, store.CertificateData{Host: "c.example", Error: "no such host"}),
		ev(5, store.EventCertificateObtained, store.CertificateData{Host: "c.example"}),
	})
	want := []api.Certificate{
		{Host: "b.example", State: api.CertificateFailed, Since: t0.Add(2 * time.Minute), Error: "connection refused"},
		{Host: "a.example", State: api.CertificateRenewed, Since: t0.Add(3 * time.Minute)},
		{Host: "c.example", State: api.CertificateObtained, Since: t0.Add(5 * time.Minute)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}
