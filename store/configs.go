package store

import (
	"slices"
	"time"

	"github.com/slipway-dev/slipway/spec"
)

// ConfigVersion is one immutable, numbered version of a dynamic
// configuration (package config): the values, the definition they were
// checked against, who made it and how. Versions of a config are
// numbered from 1; the latest is the one delivered.
type ConfigVersion struct {
	Name string `json:"name"`
	// Version numbers the config's versions from 1; CreateConfigVersion
	// sets it.
	Version int `json:"version"`
	// Spec is the config as the spec last declared it (its Values are
	// the spec's: values that differ are a run-time override).
	Spec *spec.Config `json:"spec"`
	// Schema is the text of the spec's schema file, read when it was
	// applied; Dir is the spec's folder, where the validate command
	// runs.
	Schema string `json:"schema,omitempty"`
	Dir    string `json:"dir,omitempty"`
	// Values are the config's values in this version.
	Values spec.ConfigValues `json:"values"`
	// Source says how the version was made; From is the version a
	// rollback copied.
	Source ConfigSource `json:"source"`
	From   int          `json:"from,omitempty"`
	// Revision, when not 0, ties the version to that revision of the
	// config's service (Spec.Service): an apply that changed both the
	// service and the config's values. The candidate's instances read
	// it, stable's keep the version before; it is promoted or rolled
	// back with the revision (the revision's state says which), and no
	// staged delivery runs for it.
	Revision int `json:"revision,omitempty"`
	// By is who made it; Reason what changed, in words.
	By        string    `json:"by,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
}

// ConfigSource says how a config version was made.
type ConfigSource string

// The ways a config version is made.
const (
	ConfigFromApply    ConfigSource = "apply"    // slipway apply of the spec
	ConfigFromSet      ConfigSource = "set"      // slipway config set
	ConfigFromPush     ConfigSource = "push"     // slipway config push
	ConfigFromRollback ConfigSource = "rollback" // slipway config rollback, or a delivery rolled back
)

// ConfigDelivery is the delivery of a config version to the instances
// of the service that reads it: one record per config, the latest
// delivery (earlier ones are in the event log). It is mutable and
// version-checked (version.go).
type ConfigDelivery struct {
	Name         string `json:"name"`
	StoreVersion int64  `json:"-"`
	// Version is the version delivered; Previous the one it replaces
	// (what a rollback goes back to; 0 for the first).
	Version  int `json:"version"`
	Previous int `json:"previous,omitempty"`
	// Revision, when not 0, is the revision of the config's service that
	// delivers Version (ConfigVersion.Revision): while it is in release
	// its instances have Version and the others Previous; the delivery
	// succeeds when it turns stable and rolls back with it.
	Revision int `json:"revision,omitempty"`
	// Phase is where the delivery stands (ConfigPhase).
	Phase ConfigPhase `json:"phase"`
	// Step counts the steps taken; StepStarted is when the last began.
	Step        int       `json:"step"`
	StepStarted time.Time `json:"stepStarted,omitzero"`
	// Targets are the instances given Version so far, by ID, in order.
	Targets []string `json:"targets,omitempty"`
	// Applied is the version each instance last reported it applied.
	Applied map[string]int `json:"applied,omitempty"`
	// Analysis is the analysis of the delivery as it stood at the last
	// write.
	Analysis *AnalysisRun `json:"analysis,omitempty"`
	Reason   string       `json:"reason,omitempty"`
	By       string       `json:"by,omitempty"`
	Started  time.Time    `json:"started"`
	Ended    time.Time    `json:"ended,omitzero"`
}

// ConfigPhase is the lifecycle of a config delivery:
//
//	Progressing -> Baking -> Succeeded
//	     |            |
//	     +------------+--> RolledBack (analysis failed, an instance did
//	     |                 not acknowledge) or Stopped (config stop)
type ConfigPhase string

// The phases of a config delivery.
const (
	DeliveryProgressing ConfigPhase = "Progressing"
	DeliveryBaking      ConfigPhase = "Baking"
	DeliverySucceeded   ConfigPhase = "Succeeded"
	DeliveryRolledBack  ConfigPhase = "RolledBack"
	DeliveryStopped     ConfigPhase = "Stopped"
)

// Terminal reports whether the delivery has ended.
func (p ConfigPhase) Terminal() bool {
	return p == DeliverySucceeded || p == DeliveryRolledBack || p == DeliveryStopped
}

func (p ConfigPhase) String() string { return string(p) }

func (r *ConfigDelivery) storeVersion() *int64 { return &r.StoreVersion }

// CheckConfigBase is the rule for a new config version: it names the
// version it was made from, which must be the latest (0: none yet).
func CheckConfigBase(name string, base, latest int) error {
	if base != latest {
		return Conflictf("config %s is at version %d, this change was made from version %d: re-read and retry", name, latest, base)
	}
	return nil
}

// Effective is the version every instance of the delivery has once it
// settles: the new one when it succeeded (or bakes), else the previous.
func (d ConfigDelivery) Effective() int {
	if d.Phase == DeliverySucceeded || d.Phase == DeliveryBaking {
		return d.Version
	}
	return d.Previous
}

// Desired is the version instance id, of revision rev of the service,
// should have now: while the delivery progresses, the new version only
// on the instances given it, or on those of its revision when it goes
// with one.
func (d ConfigDelivery) Desired(id string, rev int) int {
	if d.Phase == DeliveryProgressing {
		if d.Revision != 0 && rev == d.Revision || d.Revision == 0 && slices.Contains(d.Targets, id) {
			return d.Version
		}
		return d.Previous
	}
	return d.Effective()
}
