package spec

import "maps"

// ConfigOverride is one config's change in an environment's overrides:
//
//	environments:
//	  prod:
//	    overrides:
//	      configs:
//	        invoice-settings: {values: {timeoutMs: 5000}}
//
// Values are merged into the config's: mappings key by key, anything
// else (a number, a list) replaces the base's value.
type ConfigOverride struct {
	Values ConfigValues `yaml:"values" json:"values"`
}

// configOverrides checks an environment's config overrides: each names
// a config of the spec and changes its values.
func (v *validator) configOverrides(path string, o map[string]ConfigOverride) {
	configs := sortedNames(v.app.Configs)
	for _, name := range sortedNames(o) {
		p := path + "." + name
		if _, ok := v.app.Configs[name]; !ok {
			v.addf(p, "unknown config %q%s: overrides change configs written under configs:, they cannot add one; configs: %s",
				name, didYouMean(name, configs), nameList(configs))
			continue
		}
		if o[name].Values == nil && !v.skipped(p+".values") {
			v.addf(p+".values", "required: the values to change, a mapping like {timeoutMs: 5000}")
		}
	}
}

// envConfigs returns the configs with env's overrides merged in (the
// base's own, untouched, when it has none).
func envConfigs(configs map[string]*Config, env *Environment) map[string]*Config {
	if env == nil || len(env.Overrides.Configs) == 0 {
		return configs
	}
	out := maps.Clone(configs)
	for name, o := range env.Overrides.Configs {
		c := configs[name]
		if c == nil || o.Values == nil {
			continue // reported
		}
		merged := c.Clone()
		merged.Values = MergeConfigValues(c.Values, o.Values)
		out[name] = merged
	}
	return out
}

// MergeConfigValues returns base with over merged in: where both hold a
// mapping the two merge key by key, else over's value replaces base's.
// Neither is changed.
func MergeConfigValues(base, over ConfigValues) ConfigValues {
	out := base.Clone()
	if out == nil {
		out = ConfigValues{}
	}
	for k, v := range over.Clone() {
		bm, bok := out[k].(map[string]any)
		om, ook := v.(map[string]any)
		if bok && ook {
			out[k] = map[string]any(MergeConfigValues(bm, om))
			continue
		}
		out[k] = v
	}
	return out
}

// ConfigOverride returns the app's environment's override of config
// name, if it has one (the config's problems then arise in the
// environment).
func (a *App) ConfigOverride(name string) (ConfigOverride, bool) {
	e := a.Environments[a.Environment]
	if e == nil {
		return ConfigOverride{}, false
	}
	o, ok := e.Overrides.Configs[name]
	return o, ok
}
