package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/secret"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// errNoSecrets is the answer of a server started without a secrets key.
var errNoSecrets = errors.New("this server keeps no secrets (it has no secrets key)")

// setSecret stores a value sent by `slipway secret set` as the secret's
// next version (sealed), unless the latest already holds it.
func (h *handler) setSecret(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Secrets == nil {
		writeError(w, h.cfg.Logger, errNoSecrets)
		return
	}
	var req api.SecretRequest
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	name := r.PathValue("name")
	if err := checkSecretValue(name, req.Value); err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	now := h.cfg.Clock.Now()
	var out api.Secret
	err := h.in(r).Store.Update(r.Context(), func(tx store.Tx) error {
		v, stored, err := secret.Put(tx, h.cfg.Secrets, name, []byte(req.Value), secret.ViaSet, store.ActorFrom(r.Context()), now)
		if err != nil {
			return err
		}
		s, err := tx.GetSecret(name, v)
		out = toSecret(s)
		out.Stored = stored
		return err
	})
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// listSecrets answers the latest version of every secret: names,
// versions and who set them, never values.
func (h *handler) listSecrets(w http.ResponseWriter, r *http.Request) {
	var all []store.Secret
	err := h.in(r).Store.View(r.Context(), func(tx store.Tx) error {
		var err error
		all, err = tx.ListSecrets()
		return err
	})
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	out := make([]api.Secret, 0, len(all))
	for _, s := range all {
		out = append(out, toSecret(s))
	}
	writeJSON(w, http.StatusOK, out)
}

func toSecret(s store.Secret) api.Secret {
	return api.Secret{Name: s.Name, Version: s.Version, SetAt: s.SetAt, SetBy: s.SetBy, Via: s.Via}
}

// checkSecretValue refuses a name that is no secret's and a value an
// environment variable cannot hold, naming the secret, never the value.
func checkSecretValue(name, value string) error {
	if err := spec.CheckSecretName(name); err != nil {
		return badRequest{err.Error()}
	}
	if !utf8.ValidString(value) || strings.ContainsRune(value, 0) {
		return badRequest{fmt.Sprintf("secret %s: the value must be text (UTF-8 without NUL bytes): it goes into an environment variable", name)}
	}
	return nil
}

// secretValues checks an apply's or plan's secret values and who may
// send them. A plan compares values with the stored ones, so a viewer's
// plan could test guesses: sending values needs a deployer.
func (h *handler) secretValues(r *http.Request, req api.ApplyRequest) (map[string][]byte, error) {
	if len(req.Secrets) == 0 {
		return nil, nil
	}
	if h.cfg.Secrets == nil {
		return nil, errNoSecrets
	}
	if p, ok := PrincipalFrom(r.Context()); ok && !p.Role.Allows(RoleDeployer) {
		return nil, forbidden{fmt.Sprintf("%s is a %s: sending secret values (a spec with secrets:) needs a deployer's token", p.Name, p.Role)}
	}
	out := make(map[string][]byte, len(req.Secrets))
	for name, v := range req.Secrets {
		if err := checkSecretValue(name, v); err != nil {
			return nil, err
		}
		out[name] = []byte(v)
	}
	return out, nil
}

// storeSecrets stores an apply's secret values (each a new version when
// it changed) and pins every service's secret versions; it returns
// what changed, by version. It runs in the apply's transaction: a
// refused apply stores no secret.
func (h *handler) storeSecrets(r *http.Request, tx store.Tx, app *spec.App, req api.ApplyRequest, values map[string][]byte) (map[string]api.SecretChange, error) {
	versions := map[string]int{}
	changes := map[string]api.SecretChange{}
	for name, v := range values {
		from := latestVersion(tx, name)
		to, _, err := secret.Put(tx, h.cfg.Secrets, name, v, secret.ViaApply, store.ActorFrom(r.Context()), h.cfg.Clock.Now())
		if err != nil {
			return nil, err
		}
		versions[name], changes[name] = to, api.SecretChange{From: from, To: to}
	}
	return orNil(changes), secret.Pin(tx, app, versions, req.File, h.in(r).Name, true)
}

// previewSecrets is storeSecrets for plan: the versions an apply would
// store, pinned on the services, nothing written.
func (h *handler) previewSecrets(r *http.Request, tx store.Tx, app *spec.App, req api.ApplyRequest, values map[string][]byte) (map[string]api.SecretChange, error) {
	versions := map[string]int{}
	if len(values) > 0 {
		var err error
		if versions, err = secret.Changed(tx, h.cfg.Secrets, values); err != nil {
			return nil, err
		}
	}
	changes := map[string]api.SecretChange{}
	for name, to := range versions {
		changes[name] = api.SecretChange{From: latestVersion(tx, name), To: to}
	}
	return orNil(changes), secret.Pin(tx, app, versions, req.File, h.in(r).Name, false)
}

// latestVersion is a secret's latest version, 0 when none is stored.
func latestVersion(tx store.Tx, name string) int {
	s, err := tx.GetSecret(name, 0)
	if err != nil {
		return 0
	}
	return s.Version
}

func orNil[K comparable, V any](m map[K]V) map[K]V {
	if len(m) == 0 {
		return nil
	}
	return m
}
