package sqlite

import (
	"time"

	"github.com/slipway-dev/slipway/store"
)

// instanceDoc is a store.Instance as stored in instances.data.
type instanceDoc struct {
	ID         string    `json:"id"`
	Service    string    `json:"service"`
	Revision   int       `json:"revision"`
	Port       int       `json:"port"`
	State      string    `json:"state"`
	PID        int       `json:"pid"`
	StartTime  uint64    `json:"startTime"`
	Ready      bool      `json:"ready"`
	ReadySince time.Time `json:"readySince,omitempty"`
	Restarts   int       `json:"restarts"`
	Crashes    int       `json:"crashes,omitempty"`
	NextStart  time.Time `json:"nextStart,omitempty"`
	LastExit   string    `json:"lastExit,omitempty"`
	Message    string    `json:"message,omitempty"`
	CreatedAt  time.Time `json:"createdAt"`
	StartedAt  time.Time `json:"startedAt,omitempty"`
	// HostRestart: added with jobs and volumes (issue 21); absent before.
	HostRestart time.Time `json:"hostRestart,omitzero"`
}

func toInstanceDoc(i store.Instance) instanceDoc {
	return instanceDoc{
		ID: i.ID, Service: i.Service, Revision: i.Revision, Port: i.Port, State: string(i.State),
		PID: i.PID, StartTime: i.StartTime, Ready: i.Ready, ReadySince: i.ReadySince,
		Restarts: i.Restarts, Crashes: i.Crashes, NextStart: i.NextStart,
		LastExit: i.LastExit, Message: i.Message, CreatedAt: i.CreatedAt, StartedAt: i.StartedAt,
		HostRestart: i.HostRestart,
	}
}

func fromInstanceDoc(d instanceDoc) store.Instance {
	return store.Instance{
		ID: d.ID, Service: d.Service, Revision: d.Revision, Port: d.Port, State: store.InstanceState(d.State),
		PID: d.PID, StartTime: d.StartTime, Ready: d.Ready, ReadySince: d.ReadySince,
		Restarts: d.Restarts, Crashes: d.Crashes, NextStart: d.NextStart,
		LastExit: d.LastExit, Message: d.Message, CreatedAt: d.CreatedAt, StartedAt: d.StartedAt,
		HostRestart: d.HostRestart,
	}
}
