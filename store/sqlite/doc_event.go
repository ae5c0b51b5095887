package sqlite

import (
	"encoding/json"
	"time"

	"github.com/slipway-dev/slipway/store"
)

// eventDoc is a store.Event as stored in events.data. Data is the
// writer's own JSON, kept as it was written. Event.Env is not stored:
// each environment has its own database.
type eventDoc struct {
	Seq       int64           `json:"seq"`
	Time      time.Time       `json:"time"`
	Type      string          `json:"type"`
	Service   string          `json:"service,omitempty"`
	Revision  int             `json:"revision,omitempty"`
	Instance  string          `json:"instance,omitempty"`
	Operation int64           `json:"operation,omitempty"`
	Message   string          `json:"message"`
	By        string          `json:"by,omitempty"`
	Data      json.RawMessage `json:"data,omitempty"`
}

func toEventDoc(e store.Event) eventDoc {
	return eventDoc{
		Seq: e.Seq, Time: e.Time, Type: string(e.Type), Service: e.Service, Revision: e.Revision,
		Instance: e.Instance, Operation: e.Operation, Message: e.Message, By: e.By, Data: e.Data,
	}
}

func fromEventDoc(d eventDoc) store.Event {
	return store.Event{
		Seq: d.Seq, Time: d.Time, Type: store.EventType(d.Type), Service: d.Service, Revision: d.Revision,
		Instance: d.Instance, Operation: d.Operation, Message: d.Message, By: d.By, Data: d.Data,
	}
}
