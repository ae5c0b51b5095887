package rollout

import (
	"context"
	"fmt"
	"slices"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// Secrets reveals the sealed secrets an instance's env references
// (package secret's Vault is the real one).
type Secrets interface {
	// Reveal returns one version of a secret (the latest when version
	// <= 0); an error wrapping store.ErrNotFound when there is none. The
	// error never holds the value.
	Reveal(ctx context.Context, name string, version int) (string, error)
}

// secretError is a start failure because a secret the instance's env
// references cannot be revealed: starting again will not help, so the
// rollout fails now (as for an image that cannot be had), naming it.
type secretError struct{ err error }

func (e secretError) Error() string { return e.err.Error() }
func (e secretError) Unwrap() error { return e.err }

// revealSecrets replaces ${secret.NAME} in the env values with the
// versions the revision pinned, and returns the variables that hold one
// (the driver writes them nowhere). The values exist only in the map given
// to the driver: never in a record, an event or a log line.
func (c *Controller) revealSecrets(ctx context.Context, env map[string]string, rev store.Revision) ([]string, error) {
	var secretEnv []string
	for k, v := range rev.Spec.Env {
		out, err := spec.ExpandSecrets(v, func(name string) (string, error) {
			if c.cfg.Secrets == nil {
				return "", fmt.Errorf("secret %s: this server keeps no secrets", name)
			}
			return c.cfg.Secrets.Reveal(ctx, name, rev.Spec.SecretVersions[name])
		})
		if err != nil {
			return nil, secretError{fmt.Errorf("env %s: %w", k, err)}
		}
		env[k] = out
		if out != v {
			secretEnv = append(secretEnv, k)
		}
	}
	slices.Sort(secretEnv)
	return secretEnv, nil
}
