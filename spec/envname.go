package spec

import "fmt"

// CheckEnvironmentName reports whether name may name an environment: a
// DNS label (dnsLabelRule), the one rule for environment names wherever
// they are read (a spec, the API's X-Slipway-Env and ?env=, the CLI's
// --env, the registry and its old environments.json). A name becomes a
// folder under the server's data folder (DATA/envs/NAME), so one like
// ../../etc must never get that far.
func CheckEnvironmentName(name string) error {
	if !isDNSLabel(name) {
		return fmt.Errorf("invalid environment name %q: %s", name, dnsLabelRule)
	}
	return nil
}
