package store

import (
	"time"

	"github.com/slipway-dev/slipway/spec"
)

// The Data of events that other packages read back. Each is a stored
// shape: events written by older releases must keep decoding, so fields
// are only ever added, and their JSON names never change.

// RolloutSucceededData is the Data of an EventRolloutSucceeded event:
// the artifact the service now runs (none for a service without one).
// Package rollout writes it; the DORA metrics read a deployment's
// commits (lead time) from it.
type RolloutSucceededData struct {
	Artifact *spec.Artifact `json:"artifact"`
}

// IncidentData is the Data of EventIncidentOpened and
// EventIncidentResolved events: which incident, in which environment,
// what caused it (a revision of the event's service; 0 when not known)
// and its title.
type IncidentData struct {
	ID       int    `json:"id"`
	Env      string `json:"env"`
	CausedBy int    `json:"causedBy,omitempty"`
	Title    string `json:"title,omitempty"`
}

// AutoscaledData is the Data of an EventServiceAutoscaled event: the
// revision's desired count before and after, and why.
type AutoscaledData struct {
	From   int    `json:"from"`
	To     int    `json:"to"`
	Reason string `json:"reason"`
}

// CertificateData is the data of the certificate events: the host, and
// whether it renewed a certificate still served, or why it failed.
type CertificateData struct {
	Host    string `json:"host,omitempty"`
	Renewal bool   `json:"renewal,omitempty"`
	Error   string `json:"error,omitempty"`
}

// ConfigData is the Data of the config events: which config, the
// version stored or delivered, the one before it, and (for a delivery)
// how many instances have it.
type ConfigData struct {
	Name      string `json:"name"`
	Version   int    `json:"version"`
	Previous  int    `json:"previous,omitempty"`
	Instances int    `json:"instances,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

// JobData is the Data of the job events: which job, its attempt, how it
// ended and its last output lines (failures only).
type JobData struct {
	Job     string   `json:"job"`
	Attempt int      `json:"attempt,omitempty"`
	Exit    string   `json:"exit,omitempty"`
	Output  []string `json:"output,omitempty"`
}

// PromotionData is the Data of the promotion events: which promotion,
// from and into which environment, the version and (for a gate's event)
// the gate's index from 0. Readers that route events by environment (the
// notifications) read To.
type PromotionData struct {
	ID      int64  `json:"id"`
	To      string `json:"to"`
	From    string `json:"from,omitempty"`
	Version string `json:"version,omitempty"`
	Gate    *int   `json:"gate,omitempty"`
}

// UnhealthyData is the Data of EventServiceUnhealthy and
// EventServiceRecovered: since when the service was unhealthy, its
// ready instances and desired count when the event was written, and
// what was wrong (an instance's failing check, or instances missing).
type UnhealthyData struct {
	Since   time.Time `json:"since"`
	Ready   int       `json:"ready"`
	Desired int       `json:"desired"`
	Reason  string    `json:"reason,omitempty"`
}

// DiskData is the Data of EventDiskLow and EventDiskRecovered: the
// folder checked, its filesystem's free (to unprivileged users) and
// total bytes, and the free share in percent that warns.
type DiskData struct {
	Path        string  `json:"path"`
	FreeBytes   uint64  `json:"freeBytes"`
	TotalBytes  uint64  `json:"totalBytes"`
	WarnPercent float64 `json:"warnPercent"`
}
