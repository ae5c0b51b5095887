package sqlite

import (
	"time"

	"github.com/slipway-dev/slipway/store"
)

// operationDoc is a store.Operation (an apply, a rollback, a deploy) as
// stored in operations.data.
type operationDoc struct {
	ID          int64       `json:"id"`
	Kind        string      `json:"kind"`
	State       string      `json:"state"`
	Changes     []changeDoc `json:"changes"`
	Message     string      `json:"message,omitempty"`
	Failure     *failureDoc `json:"failure,omitempty"`
	EventsAfter int64       `json:"eventsAfter,omitempty"`
	Promotion   int64       `json:"promotion,omitempty"`
	CreatedAt   time.Time   `json:"createdAt"`
	UpdatedAt   time.Time   `json:"updatedAt"`
}

// changeDoc is what an operation does to one service.
type changeDoc struct {
	Service   string   `json:"service"`
	From      int      `json:"from"`
	To        int      `json:"to"`
	DependsOn []string `json:"dependsOn,omitempty"`
	Started   bool     `json:"started,omitempty"`
	Done      bool     `json:"done,omitempty"`
	Reverted  bool     `json:"reverted,omitempty"`
}

func toOperationDoc(op store.Operation) operationDoc {
	return operationDoc{
		ID: op.ID, Kind: string(op.Kind), State: string(op.State),
		Changes: each(op.Changes, func(c store.Change) changeDoc {
			return changeDoc{Service: c.Service, From: c.From, To: c.To, DependsOn: c.DependsOn,
				Started: c.Started, Done: c.Done, Reverted: c.Reverted}
		}),
		Message: op.Message, Failure: ptr(op.Failure, toFailureDoc),
		EventsAfter: op.EventsAfter, Promotion: op.Promotion,
		CreatedAt: op.CreatedAt, UpdatedAt: op.UpdatedAt,
	}
}

func fromOperationDoc(d operationDoc) store.Operation {
	return store.Operation{
		ID: d.ID, Kind: store.OperationKind(d.Kind), State: store.OperationState(d.State),
		Changes: each(d.Changes, func(c changeDoc) store.Change {
			return store.Change{Service: c.Service, From: c.From, To: c.To, DependsOn: c.DependsOn,
				Started: c.Started, Done: c.Done, Reverted: c.Reverted}
		}),
		Message: d.Message, Failure: ptr(d.Failure, fromFailureDoc),
		EventsAfter: d.EventsAfter, Promotion: d.Promotion,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
	}
}
