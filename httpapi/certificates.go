package httpapi

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/store"
)

// certificates serves GET /v1/certificates: each host the environment's
// TLS router got a certificate for over ACME, with its last certificate
// event (obtained, renewed or failed), failures first.
func (h *handler) certificates(w http.ResponseWriter, r *http.Request) {
	var evs []store.Event
	err := h.in(r).Store.View(r.Context(), func(tx store.Tx) error {
		var err error
		evs, err = tx.ListEventsOfType(0, []store.EventType{store.EventCertificateObtained, store.EventCertificateFailed}, 0)
		return err
	})
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, latestCertificates(evs))
}

// latestCertificates folds certificate events (oldest first) into each
// host's last state.
func latestCertificates(evs []store.Event) []api.Certificate {
	byHost := map[string]api.Certificate{}
	for _, e := range evs {
		var d store.CertificateData
		if json.Unmarshal(e.Data, &d) != nil || d.Host == "" {
			continue
		}
		c := api.Certificate{Host: d.Host, Since: e.Time, Error: d.Error, State: api.CertificateObtained}
		switch {
		case e.Type == store.EventCertificateFailed:
			c.State = api.CertificateFailed
		case d.Renewal:
			c.State = api.CertificateRenewed
		}
		byHost[d.Host] = c
	}
	out := make([]api.Certificate, 0, len(byHost))
	for _, c := range byHost {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b api.Certificate) int {
		if fa, fb := a.State == api.CertificateFailed, b.State == api.CertificateFailed; fa != fb {
			if fa {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Host, b.Host)
	})
	return out
}
