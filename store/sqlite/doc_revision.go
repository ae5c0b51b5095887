package sqlite

import (
	"time"

	"github.com/slipway-dev/slipway/store"
)

// revisionDoc is a store.Revision as stored in revisions.data.
type revisionDoc struct {
	Service   string         `json:"service"`
	Number    int            `json:"number"`
	Spec      serviceSpecDoc `json:"spec"`
	State     string         `json:"state"`
	Reason    string         `json:"reason,omitempty"`
	CreatedAt time.Time      `json:"createdAt"`
}

func toRevisionDoc(r store.Revision) revisionDoc {
	return revisionDoc{
		Service: r.Service, Number: r.Number, Spec: toServiceSpecDoc(r.Spec),
		State: string(r.State), Reason: r.Reason, CreatedAt: r.CreatedAt,
	}
}

func fromRevisionDoc(d revisionDoc) store.Revision {
	return store.Revision{
		Service: d.Service, Number: d.Number, Spec: fromServiceSpecDoc(d.Spec),
		State: store.RevisionState(d.State), Reason: d.Reason, CreatedAt: d.CreatedAt,
	}
}
