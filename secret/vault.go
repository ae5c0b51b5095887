package secret

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// Via says how a secret's value came to the server (store.Secret.Via).
const (
	ViaApply = "apply"
	ViaSet   = "set"
)

// Put stores value as name's next version, sealed, with its event,
// unless the latest version already holds it. It returns the version
// that holds value now and whether Put stored it. The value is checked
// (name, size) before anything is written; who set it is the request's
// actor (store.WithActor), taken by the caller from ctx as by.
func Put(tx store.Tx, box *Box, name string, value []byte, via, by string, now time.Time) (version int, stored bool, err error) {
	if err := check(name, value); err != nil {
		return 0, false, err
	}
	latest, err := tx.GetSecret(name, 0)
	switch {
	case err == nil:
		same, err := box.Same(latest.Sealed, value)
		if err != nil {
			return 0, false, fmt.Errorf("secret %s version %d: %w", name, latest.Version, err)
		}
		if same {
			return latest.Version, false, nil
		}
	case !errors.Is(err, store.ErrNotFound):
		return 0, false, err
	}
	sealed, err := box.Seal(value)
	if err != nil {
		return 0, false, fmt.Errorf("secret %s: %w", name, err)
	}
	s, err := tx.AddSecret(store.Secret{Name: name, Sealed: sealed, SetAt: now, SetBy: by, Via: via})
	if err != nil {
		return 0, false, err
	}
	data, err := json.Marshal(store.SecretData{Name: name, Version: s.Version, Via: via})
	if err != nil {
		return 0, false, err
	}
	_, err = tx.AppendEvent(store.Event{Time: now, Type: store.EventSecretSet, Data: data,
		Message: fmt.Sprintf("secret %s set to version %d (%s)", name, s.Version, viaLabel(via))})
	return s.Version, true, err
}

func viaLabel(via string) string {
	if via == ViaApply {
		return "from the spec's secrets:, resolved by the CLI"
	}
	return "slipway secret set"
}

// Changed is the version each secret of values would have once stored:
// the latest when it holds the same value, one more when not (or 1 for
// a secret not stored yet). It writes nothing: plan uses it.
func Changed(tx store.Tx, box *Box, values map[string][]byte) (map[string]int, error) {
	out := make(map[string]int, len(values))
	for _, name := range sortedKeys(values) {
		if err := check(name, values[name]); err != nil {
			return nil, err
		}
		latest, err := tx.GetSecret(name, 0)
		if errors.Is(err, store.ErrNotFound) {
			out[name] = 1
			continue
		}
		if err != nil {
			return nil, err
		}
		same, err := box.Same(latest.Sealed, values[name])
		if err != nil {
			return nil, fmt.Errorf("secret %s version %d: %w", name, latest.Version, err)
		}
		out[name] = latest.Version
		if !same {
			out[name]++
		}
	}
	return out, nil
}

// Pin sets each service's SecretVersions: the version of every secret
// its env references, from versions (what this apply sent) or else the
// latest stored. A reference to a secret neither holds is a problem at
// the env value's line, naming the secret and how to provide it;
// nothing is changed then. When strict is false (plan, validate: the CLI
// resolves no secret for validate) a secret the spec declares passes
// unpinned.
func Pin(tx store.Tx, app *spec.App, versions map[string]int, file, env string, strict bool) error {
	var ps spec.Problems
	for _, svc := range spec.TopoOrder(app.Services) {
		s := app.Services[svc]
		s.SecretVersions = nil
		for _, name := range s.SecretRefs() {
			v, ok, err := pinned(tx, app, versions, name, strict)
			if err != nil {
				return err
			}
			if !ok {
				ps = append(ps, notStored(app, file, "services."+svc+".env", name, env))
				continue
			}
			if v == 0 {
				continue
			}
			if s.SecretVersions == nil {
				s.SecretVersions = map[string]int{}
			}
			s.SecretVersions[name] = v
		}
	}
	nps, err := notificationSecrets(tx, app, versions, file, env, strict)
	if err != nil {
		return err
	}
	ps = append(ps, nps...)
	if nps, err = dnsSecrets(tx, app, versions, file, env, strict); err != nil {
		return err
	}
	if ps = append(ps, nps...); len(ps) > 0 {
		return &ps
	}
	return nil
}

// pinned is the version of secret name an apply pins: the one it sent
// (versions), else the latest stored. ok is false when neither holds
// it, unless strict is false and the spec declares it: it then passes
// unpinned, as version 0 (a stored version is 1 or more).
func pinned(tx store.Tx, app *spec.App, versions map[string]int, name string, strict bool) (v int, ok bool, err error) {
	if v, sent := versions[name]; sent {
		return v, true, nil
	}
	latest, err := tx.GetSecret(name, 0)
	switch {
	case err == nil:
		return latest.Version, true, nil
	case !errors.Is(err, store.ErrNotFound):
		return 0, false, err
	}
	return 0, !strict && app.Secrets[name] != nil, nil
}

// notStored is the problem of a secret, referenced at path, that Pin
// finds neither sent nor stored.
func notStored(app *spec.App, file, path, name, env string) spec.Problem {
	return spec.Problem{File: file, Line: app.Line(path), Path: path,
		Message: fmt.Sprintf("secret %s is not stored in environment %s: declare it under secrets: (the CLI reads it at apply) or run slipway secret set %s --env %s", name, env, name, env)}
}

// notificationSecrets checks that the secrets the notifications: section
// names (URLs, signing keys) are sent or stored, as Pin does for env
// values: a destination that could not send is refused at apply.
func notificationSecrets(tx store.Tx, app *spec.App, versions map[string]int, file, env string, strict bool) (spec.Problems, error) {
	var ps spec.Problems
	for _, name := range slices.Sorted(maps.Keys(app.Notifications)) {
		n := app.Notifications[name]
		if n == nil {
			continue
		}
		refs := map[string]string{}
		if s, ok := spec.SecretURL(n.URL()); ok {
			refs[s] = "notifications." + name + "." + n.Kind() + ".url"
		}
		if n.Webhook != nil && n.Webhook.Secret != "" {
			refs[n.Webhook.Secret] = "notifications." + name + ".webhook.secret"
		}
		for _, s := range slices.Sorted(maps.Keys(refs)) {
			_, ok, err := pinned(tx, app, versions, s, strict)
			if err != nil {
				return nil, err
			}
			if !ok {
				ps = append(ps, notStored(app, file, refs[s], s, env))
			}
		}
	}
	return ps, nil
}

// dnsSecrets checks that the secrets the environment's DNS-01 hook
// references (tls.acme.dns.env) are sent or stored: a hook without its
// token is refused at apply, not when a certificate is due.
func dnsSecrets(tx store.Tx, app *spec.App, versions map[string]int, file, env string, strict bool) (spec.Problems, error) {
	t := app.TLSFor(env)
	if t == nil || t.ACME == nil || t.ACME.DNS == nil {
		return nil, nil
	}
	path := "tls.acme.dns.env"
	if e := app.Environments[env]; e != nil && e.TLS == t {
		path = "environments." + env + "." + path
	}
	var ps spec.Problems
	for _, name := range t.ACME.DNS.SecretRefs() {
		_, ok, err := pinned(tx, app, versions, name, strict)
		if err != nil {
			return nil, err
		}
		if !ok {
			ps = append(ps, notStored(app, file, path, name, env))
		}
	}
	return ps, nil
}

// check refuses a bad name or a value too large, naming neither value
// nor any part of it.
func check(name string, value []byte) error {
	if err := spec.CheckSecretName(name); err != nil {
		return store.Invalidf("%s", err)
	}
	if len(value) > MaxSize {
		return store.Invalidf("secret %s is %d bytes; at most %d", name, len(value), MaxSize)
	}
	return nil
}

func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Vault reveals the secrets of one environment's store: what an
// instance's environment gets when it starts.
type Vault struct {
	Store store.Store
	Box   *Box
}

// Reveal returns version of secret name (the latest when version <= 0).
func (v Vault) Reveal(ctx context.Context, name string, version int) (string, error) {
	var s store.Secret
	err := v.Store.View(ctx, func(tx store.Tx) error {
		var err error
		s, err = tx.GetSecret(name, version)
		return err
	})
	if err != nil {
		return "", err
	}
	value, err := v.Box.Open(s.Sealed)
	if err != nil {
		return "", fmt.Errorf("secret %s version %d: %w", name, s.Version, err)
	}
	return string(value), nil
}
