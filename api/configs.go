package api

import "time"

// Config is a dynamic configuration as it stands: its latest version
// and, when one was made, its delivery to the instances.
type Config struct {
	Name    string `json:"name"`
	Service string `json:"service"`
	// Version is the latest version; Values its values.
	Version int            `json:"version"`
	Values  map[string]any `json:"values"`
	// Current is the version every instance has once the delivery
	// settles: the latest, or the one before it when its delivery was
	// rolled back or stopped.
	Current int `json:"current"`
	// Revision, when not 0, is the revision of Service the latest
	// version was released with (an apply that changed both).
	Revision int `json:"revision,omitempty"`
	// Overridden says a run-time change (config set, push, rollback)
	// holds on top of the spec's values until an apply changes them.
	Overridden bool   `json:"overridden,omitempty"`
	Source     string `json:"source"`
	From       int    `json:"from,omitempty"`
	By         string `json:"by,omitempty"`
	Reason     string `json:"reason,omitempty"`
	// Created is when the version was made.
	Created time.Time `json:"created"`
	// Schema is the schema file; Rules and Validate the other checks.
	Schema   string   `json:"schema,omitempty"`
	Rules    []string `json:"rules,omitempty"`
	Validate []string `json:"validate,omitempty"`
	// EnvVar names the file each instance reads the config from.
	EnvVar string `json:"envVar"`
	// Strategy says how a version is delivered, in words.
	Strategy string          `json:"strategy"`
	Delivery *ConfigDelivery `json:"delivery,omitempty"`
}

// ConfigVersion is one version in a config's history.
type ConfigVersion struct {
	Version int            `json:"version"`
	Values  map[string]any `json:"values"`
	Source  string         `json:"source"`
	From    int            `json:"from,omitempty"`
	By      string         `json:"by,omitempty"`
	Reason  string         `json:"reason,omitempty"`
	Created time.Time      `json:"created"`
	// Revision, when not 0, is the revision of the config's service the
	// version was released with; Release how that ended: "in release",
	// "promoted", or "rolled back: REASON".
	Revision int    `json:"revision,omitempty"`
	Release  string `json:"release,omitempty"`
}

// ConfigRequest is a run-time change to a config (POST
// /v1/configs/{name}/versions): exactly one of Set (key=value, key.sub=
// value; a value is JSON when it parses as JSON, else a string), Push
// (a whole JSON or YAML document, File its name) and RollbackTo (a
// version whose values become the newest version's).
type ConfigRequest struct {
	Set        []string `json:"set,omitempty"`
	Push       *string  `json:"push,omitempty"`
	File       string   `json:"file,omitempty"`
	RollbackTo int      `json:"rollbackTo,omitempty"`
	// Base, when set, is the version the change was made from: 409 when
	// the config moved on since.
	Base   int    `json:"base,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// ConfigDiff is what changed between two versions of a config.
type ConfigDiff struct {
	Name    string         `json:"name"`
	From    int            `json:"from"`
	To      int            `json:"to"`
	Changes []ConfigChange `json:"changes"`
}

// ConfigChange is one value that differs (Old empty: added; New empty:
// removed), as JSON.
type ConfigChange struct {
	Path string `json:"path"`
	Old  string `json:"old,omitempty"`
	New  string `json:"new,omitempty"`
}

// ConfigChanges is what an apply stores in the configs: a new version
// of each added or changed config; Dropped are configs whose run-time
// values give way to the spec's.
type ConfigChanges struct {
	Added   []string `json:"added,omitempty"`
	Changed []string `json:"changed,omitempty"`
	Dropped []string `json:"dropped,omitempty"`
	// Released are the new versions that go with a revision the same
	// apply makes: its candidate reads the new values, the other
	// instances keep version Keeps; they are promoted or rolled back
	// together.
	Released []ConfigRelease `json:"released,omitempty"`
}

// ConfigRelease is a config version released with a revision.
type ConfigRelease struct {
	Config   string `json:"config"`
	Service  string `json:"service"`
	Revision int    `json:"revision"`
	Keeps    int    `json:"keeps"`
}

// ConfigDelivery is the delivery of a config version to the instances
// of its service.
type ConfigDelivery struct {
	Version  int `json:"version"`
	Previous int `json:"previous,omitempty"`
	// Revision, when not 0, is the revision of the service the version
	// goes with: its instances have it, the others Previous, until the
	// revision is promoted or rolled back.
	Revision int    `json:"revision,omitempty"`
	Phase    string `json:"phase"`
	Step     int    `json:"step"`
	// Instances are the service's instances, each with the version it
	// should have and the one it reported applying (0: none yet).
	Instances []ConfigInstance `json:"instances"`
	Reason    string           `json:"reason,omitempty"`
	Started   time.Time        `json:"started"`
	Ended     time.Time        `json:"ended,omitzero"`
	// Analysis is the delivery's analysis, when it has one.
	Analysis *AnalysisRun `json:"analysis,omitempty"`
}

// ConfigInstance is where one instance stands in a delivery.
type ConfigInstance struct {
	ID       string `json:"id"`
	Revision int    `json:"revision"`
	Desired  int    `json:"desired"`
	Applied  int    `json:"applied"`
}

// ConfigUpdate is one event of a config's change stream (GET
// /v1/configs/{name}/stream): the version the caller should have now
// and its values.
type ConfigUpdate struct {
	Name    string         `json:"name"`
	Version int            `json:"version"`
	Values  map[string]any `json:"values"`
}
