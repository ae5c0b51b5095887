package spec

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

// Config is a dynamic configuration: values a service reads at run time
// (timeouts, rate limits, log levels) that change more often than its
// code. Each change is a new, immutable, numbered version, checked
// (schema, rules, command) before it is stored, and delivered to the
// service's instances by its delivery strategy (package config).
//
//	configs:
//	  invoice-settings:
//	    service: invoice
//	    schema: ./config/invoice.schema.json
//	    rules: ['config.timeoutMs <= 30000']
//	    validate: ["./scripts/check-config"]
//	    values: {timeoutMs: 2000, retries: 2}
//	    delivery: {strategy: {linear: {steps: 4, interval: 1m}}, bake: 5m}
type Config struct {
	// Service reads the config: its instances get it, its metrics judge
	// a delivery.
	Service string `yaml:"service" json:"service"`
	// Schema is a JSON Schema file (draft 2020-12), relative to the
	// spec's folder; the values must conform to it.
	Schema string `yaml:"schema,omitempty" json:"schema,omitempty"`
	// Rules are CEL expressions over config (the values) that must all
	// be true.
	Rules []string `yaml:"rules,omitempty" json:"rules,omitempty"`
	// Validate is a command run in the spec's folder with the values as
	// JSON on its standard input: exit status 0 means valid, anything
	// else (or running past ValidateTimeout) invalid, its output the
	// reason.
	Validate []string `yaml:"validate,omitempty" json:"validate,omitempty"`
	// ValidateTimeout bounds the command (default 10s).
	ValidateTimeout Duration `yaml:"validateTimeout,omitempty" json:"validateTimeout"`
	// Values are the config itself: a JSON object.
	Values ConfigValues `yaml:"values" json:"values"`
	// Signal, when set (SIGHUP, SIGUSR1 or SIGUSR2), is sent to an
	// instance after its config file is replaced.
	Signal string `yaml:"signal,omitempty" json:"signal,omitempty"`
	// Delivery says how a new version reaches the instances.
	Delivery ConfigDelivery `yaml:"delivery,omitempty" json:"delivery"`
}

// ConfigDelivery is how a config version is delivered: to how many
// instances at a time, how long it is watched after the last step, and
// the analysis that judges it.
type ConfigDelivery struct {
	Strategy ConfigStrategy `yaml:"strategy,omitempty" json:"strategy"`
	// Bake is how long the version is watched on every instance before
	// the delivery succeeds.
	Bake Duration `yaml:"bake,omitempty" json:"bake"`
	// Analysis judges the service's instances on the new version (the
	// canary analysis: router metrics per instance); nil judges by
	// acknowledgements only.
	Analysis *Analysis `yaml:"analysis,omitempty" json:"analysis,omitempty"`
}

// ConfigStrategy is one of three ways to pace a delivery; none written
// is AllAtOnce.
type ConfigStrategy struct {
	Linear      *LinearDelivery      `yaml:"linear,omitempty" json:"linear,omitempty"`
	Exponential *ExponentialDelivery `yaml:"exponential,omitempty" json:"exponential,omitempty"`
	AllAtOnce   *AllAtOnceDelivery   `yaml:"allAtOnce,omitempty" json:"allAtOnce,omitempty"`
}

// LinearDelivery gives the version to an equal share of the instances
// at each of Steps steps, Interval apart.
type LinearDelivery struct {
	Steps    int      `yaml:"steps" json:"steps"`
	Interval Duration `yaml:"interval,omitempty" json:"interval"`
}

// ExponentialDelivery starts with one instance and multiplies the count
// by Factor at each step, Interval apart.
type ExponentialDelivery struct {
	Factor   float64  `yaml:"factor,omitempty" json:"factor"`
	Interval Duration `yaml:"interval,omitempty" json:"interval"`
}

// AllAtOnceDelivery gives the version to every instance at once.
type AllAtOnceDelivery struct{}

// Config defaults.
const (
	DefaultConfigValidateTimeout = 10 * time.Second
	DefaultConfigInterval        = time.Minute
	DefaultConfigFactor          = 2
)

// ConfigSignals are the signals a config may send on change.
var ConfigSignals = []string{"SIGHUP", "SIGUSR1", "SIGUSR2"}

// ConfigValues are a config's values: a JSON object (string keys, JSON
// values: numbers as float64).
type ConfigValues map[string]any

// UnmarshalYAML reads a mapping and keeps it as JSON would read it, so
// that values compare, validate and store alike whichever way they came.
func (c *ConfigValues) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("must be a mapping of values, like {timeoutMs: 2000, logLevel: info}")
	}
	var raw map[string]any
	if err := n.Decode(&raw); err != nil {
		return err
	}
	v, err := NormalizeConfigValues(raw)
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// NormalizeConfigValues returns v as encoding/json reads it back, or an
// error when v holds something JSON cannot (a map with non-string keys).
func NormalizeConfigValues(v map[string]any) (ConfigValues, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("not JSON values: %w", err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Clone returns a deep copy of c.
func (c *Config) Clone() *Config {
	if c == nil {
		return nil
	}
	out := *c
	out.Rules = slices.Clone(c.Rules)
	out.Validate = slices.Clone(c.Validate)
	out.Values = c.Values.Clone()
	out.Delivery.Analysis = c.Delivery.Analysis.clone()
	if s := c.Delivery.Strategy; s.Linear != nil || s.Exponential != nil || s.AllAtOnce != nil {
		out.Delivery.Strategy = ConfigStrategy{Linear: ptrCopy(s.Linear), Exponential: ptrCopy(s.Exponential), AllAtOnce: ptrCopy(s.AllAtOnce)}
	}
	return &out
}

// Clone returns a deep copy of the values (a JSON round trip keeps
// nested maps and lists apart).
func (c ConfigValues) Clone() ConfigValues {
	if c == nil {
		return nil
	}
	out, err := NormalizeConfigValues(c)
	if err != nil { // values that came in through Normalize always encode
		return maps.Clone(c)
	}
	return out
}

func ptrCopy[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func (c *Config) applyDefaults() {
	orDefault(&c.ValidateTimeout, DefaultConfigValidateTimeout)
	s := &c.Delivery.Strategy
	switch {
	case s.Linear != nil:
		orDefault(&s.Linear.Interval, DefaultConfigInterval)
	case s.Exponential != nil:
		orDefault(&s.Exponential.Interval, DefaultConfigInterval)
		if s.Exponential.Factor == 0 {
			s.Exponential.Factor = DefaultConfigFactor
		}
	default:
		s.AllAtOnce = &AllAtOnceDelivery{}
	}
	if a := c.Delivery.Analysis; a != nil {
		a.applyDefaults()
	}
}

// HasConfigs reports whether the spec has a configs: section: an apply
// of it stores each config's values as a new version when they changed.
func (a *App) HasConfigs() bool { return len(a.Configs) > 0 || a.index.has("configs") }

// ConfigEnvVar is the environment variable naming the file an instance
// reads config name from: SLIPWAY_CONFIG_ and the name upper-cased, every
// character other than a letter or digit as '_'.
func ConfigEnvVar(name string) string {
	return "SLIPWAY_CONFIG_" + strings.ToUpper(nonAlnum.ReplaceAllString(name, "_"))
}

var nonAlnum = regexp.MustCompile(`[^A-Za-z0-9]`)
