package sqlite

import (
	"time"

	"github.com/slipway-dev/slipway/store"
)

// environmentDoc is the stored form of store.Environment (the registry
// of environments, in the hub's database). Its version is both in the
// document and in the row's version column, which writes check.
type environmentDoc struct {
	Name      string       `json:"name"`
	Router    string       `json:"router,omitempty"`
	Down      *teardownDoc `json:"down,omitempty"`
	LastDown  *teardownDoc `json:"lastDown,omitempty"`
	Version   int64        `json:"version"`
	CreatedAt time.Time    `json:"createdAt"`
}

// teardownDoc is the stored form of store.Teardown.
type teardownDoc struct {
	By          string    `json:"by,omitempty"`
	RequestedAt time.Time `json:"requestedAt"`
	DoneAt      time.Time `json:"doneAt,omitzero"`
}

func toEnvironmentDoc(e store.Environment) environmentDoc {
	return environmentDoc{Name: e.Name, Router: e.Router, Down: ptr(e.Down, toTeardownDoc),
		LastDown: ptr(e.LastDown, toTeardownDoc), Version: e.Version, CreatedAt: e.CreatedAt}
}

func fromEnvironmentDoc(d environmentDoc) store.Environment {
	return store.Environment{Name: d.Name, Router: d.Router, Down: ptr(d.Down, fromTeardownDoc),
		LastDown: ptr(d.LastDown, fromTeardownDoc), Version: d.Version, CreatedAt: d.CreatedAt}
}

func toTeardownDoc(t store.Teardown) teardownDoc {
	return teardownDoc{By: t.By, RequestedAt: t.RequestedAt, DoneAt: t.DoneAt}
}

func fromTeardownDoc(d teardownDoc) store.Teardown {
	return store.Teardown{By: d.By, RequestedAt: d.RequestedAt, DoneAt: d.DoneAt}
}
