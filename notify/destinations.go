package notify

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/secret"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// destination is one entry of notifications: as a lane sends to it: its
// URL and key revealed from their secrets. broken says why it cannot
// send (a secret not stored or not opened): the lane records it as each
// attempt's error and retries, so nothing is skipped meanwhile.
type destination struct {
	name   string
	n      *spec.Notification
	url    string
	key    []byte
	broken string
	// fingerprint changes when anything the lane uses changes: the lane
	// is then replaced.
	fingerprint string
}

// settings is an environment's notifications: as last applied, and
// when (a new destination starts with the events after it).
type settings struct {
	dests     map[string]destination
	appliedAt time.Time
}

// version is what says whether the settings may have changed: the app
// record's version and the latest version of every secret.
func version(tx store.Tx) (string, error) {
	a, err := tx.GetApp()
	if errors.Is(err, store.ErrNotFound) {
		return "none", nil
	}
	if err != nil {
		return "", err
	}
	secrets, err := tx.ListSecrets()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d", a.StoreVersion)
	for _, s := range secrets {
		fmt.Fprintf(&b, " %s:%d", s.Name, s.Version)
	}
	return b.String(), nil
}

// load reads env's notifications: from its applied spec and reveals the
// secrets they name.
func load(tx store.Tx, env string, box *secret.Box) (settings, error) {
	a, err := tx.GetApp()
	if errors.Is(err, store.ErrNotFound) {
		return settings{}, nil
	}
	if err != nil {
		return settings{}, err
	}
	app, err := spec.ParseWith(a.File, []byte(a.Spec), spec.Options{Environment: env, MaxInstancesPerService: -1})
	if err != nil {
		return settings{}, fmt.Errorf("read the applied spec's notifications: %w", err)
	}
	out := settings{dests: map[string]destination{}, appliedAt: a.AppliedAt}
	for name, n := range app.Notifications {
		if n == nil {
			continue
		}
		d := destination{name: name, n: n}
		var problems []string
		d.url, problems = reveal(tx, box, n.URL(), problems)
		if n.Webhook != nil {
			var key string
			key, problems = reveal(tx, box, "${secret."+n.Webhook.Secret+"}", problems)
			d.key = []byte(key)
		}
		d.broken = strings.Join(problems, "; ")
		d.fingerprint = fingerprint(d)
		out.dests[name] = d
	}
	return out, nil
}

// reveal returns v, or the value of the secret it names (${secret.NAME}),
// adding a secret-free problem when that cannot be read.
func reveal(tx store.Tx, box *secret.Box, v string, problems []string) (string, []string) {
	name, ok := spec.SecretURL(v)
	if !ok {
		return v, problems
	}
	s, err := tx.GetSecret(name, 0)
	if errors.Is(err, store.ErrNotFound) {
		return "", append(problems, fmt.Sprintf("secret %s is not stored in this environment: slipway secret set %s, or declare it under secrets:", name, name))
	}
	if err == nil && box == nil {
		err = errors.New("the server has no secrets key")
	}
	var value []byte
	if err == nil {
		value, err = box.Open(s.Sealed)
	}
	if err != nil {
		return "", append(problems, fmt.Sprintf("secret %s version %d cannot be read: %v", name, s.Version, err))
	}
	return string(value), problems
}

func fingerprint(d destination) string {
	h := sha256.New()
	b, _ := json.Marshal(d.n) // a spec's notification always encodes
	h.Write(b)
	for _, s := range []string{d.url, string(d.key), d.broken} {
		fmt.Fprintf(h, "\x00%d:%s", len(s), s)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Target is how status shows where a destination sends, without a
// secret: ${secret.NAME} as written, or a written URL's scheme and host
// (a URL's path may hold a token).
func Target(n *spec.Notification) string {
	u := n.URL()
	if _, ok := spec.SecretURL(u); ok {
		return u
	}
	if p, err := url.Parse(u); err == nil {
		return p.Scheme + "://" + p.Host + "/..."
	}
	return "(invalid URL)"
}
