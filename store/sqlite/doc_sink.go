package sqlite

import (
	"time"

	"github.com/slipway-dev/slipway/store"
)

// sinkCursorDoc is the stored form of store.SinkCursor: how far a
// notification sink has read the log, and how its last attempts went
// (errors without URLs or keys). Its version is both in the document and
// in the row's version column, which writes check.
type sinkCursorDoc struct {
	Sink        string    `json:"sink"`
	Version     int64     `json:"version"`
	Seq         int64     `json:"seq"`
	Delivered   int64     `json:"delivered,omitempty"`
	LastSuccess time.Time `json:"lastSuccess,omitzero"`
	LastError   string    `json:"lastError,omitempty"`
	LastErrorAt time.Time `json:"lastErrorAt,omitzero"`
	Failures    int       `json:"failures,omitempty"`
}

func toSinkCursorDoc(c store.SinkCursor) sinkCursorDoc {
	return sinkCursorDoc{Sink: c.Sink, Version: c.Version, Seq: c.Seq, Delivered: c.Delivered, LastSuccess: c.LastSuccess,
		LastError: c.LastError, LastErrorAt: c.LastErrorAt, Failures: c.Failures}
}

func fromSinkCursorDoc(d sinkCursorDoc) store.SinkCursor {
	return store.SinkCursor{Sink: d.Sink, Version: d.Version, Seq: d.Seq, Delivered: d.Delivered, LastSuccess: d.LastSuccess,
		LastError: d.LastError, LastErrorAt: d.LastErrorAt, Failures: d.Failures}
}

// linkUseDoc is the stored form of store.LinkUse: a one-time link's
// nonce and what it did.
type linkUseDoc struct {
	Nonce     string    `json:"nonce"`
	Action    string    `json:"action"`
	Promotion int64     `json:"promotion"`
	By        string    `json:"by"`
	UsedAt    time.Time `json:"usedAt"`
}

func toLinkUseDoc(u store.LinkUse) linkUseDoc {
	return linkUseDoc{Nonce: u.Nonce, Action: u.Action, Promotion: u.Promotion, By: u.By, UsedAt: u.UsedAt}
}

func fromLinkUseDoc(d linkUseDoc) store.LinkUse {
	return store.LinkUse{Nonce: d.Nonce, Action: d.Action, Promotion: d.Promotion, By: d.By, UsedAt: d.UsedAt}
}
