package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/config"
	"github.com/slipway-dev/slipway/store"
)

// ConfigVersionHeader carries the version of the values a config
// answer holds (its ETag says the same, quoted).
const ConfigVersionHeader = "Slipway-Config-Version"

// currentConfig reads the version of config name that instance should
// have now (its delivery's Desired), or with no instance the version
// every instance settles on (Effective), with its values.
func currentConfig(tx store.Tx, name, instance string) (store.ConfigVersion, error) {
	latest, err := tx.GetConfigVersion(name, 0)
	if err != nil {
		return store.ConfigVersion{}, err
	}
	d, err := tx.GetConfigDelivery(name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return latest, nil
	case err != nil:
		return store.ConfigVersion{}, err
	}
	want := d.Effective()
	if instance != "" {
		rev := 0 // an instance gone: the version every instance settles on
		if in, err := tx.GetInstance(instance); err == nil {
			rev = in.Revision
		} else if !errors.Is(err, store.ErrNotFound) {
			return store.ConfigVersion{}, err
		}
		want = d.Desired(instance, rev)
	}
	if want <= 0 || want == latest.Version {
		return latest, nil
	}
	return tx.GetConfigVersion(name, want)
}

func (h *handler) readCurrent(r *http.Request) (store.ConfigVersion, error) {
	var v store.ConfigVersion
	err := h.in(r).Store.View(r.Context(), func(tx store.Tx) error {
		instance, err := h.scopeConfig(r, tx)
		if err != nil {
			return err
		}
		v, err = currentConfig(tx, r.PathValue("name"), instance)
		return err
	})
	return v, err
}

// scopeConfig returns the instance whose version of the config r asks
// for (?instance=). An instance's own credential gets its own, and only
// while the instance lives, in its environment, for a config its
// service reads: anything else is refused as if the config did not
// exist (a credential learns nothing of others' configs).
func (h *handler) scopeConfig(r *http.Request, tx store.Tx) (string, error) {
	asked := r.URL.Query().Get("instance")
	p, _ := PrincipalFrom(r.Context())
	if p.Instance == "" {
		return asked, nil
	}
	name := r.PathValue("name")
	refused := store.NotFoundf("config %s: not one %s reads", name, p.Name)
	if p.Env != h.in(r).Name || asked != "" && asked != p.Instance {
		return "", refused
	}
	in, err := tx.GetInstance(p.Instance)
	if errors.Is(err, store.ErrNotFound) || err == nil && in.State.Leaving() {
		return "", forbidden{p.Name + ": the instance has ended; its credential with it"}
	} else if err != nil {
		return "", err
	}
	v, err := tx.GetConfigVersion(name, 0)
	if errors.Is(err, store.ErrNotFound) || err == nil && (v.Spec == nil || v.Spec.Service != in.Service) {
		return "", refused
	}
	return p.Instance, err
}

func configETag(v int) string { return `"` + strconv.Itoa(v) + `"` }

// configValues handles GET /v1/configs/{name}/values (?instance=ID):
// the values as an instance's file holds them, with the version as
// ETag: a request whose If-None-Match names it gets 304 and no body.
func (h *handler) configValues(w http.ResponseWriter, r *http.Request) {
	v, err := h.readCurrent(r)
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	tag := configETag(v.Version)
	w.Header().Set("ETag", tag)
	w.Header().Set(ConfigVersionHeader, strconv.Itoa(v.Version))
	w.Header().Set("Cache-Control", "no-cache")
	if matchesETag(r.Header.Get("If-None-Match"), tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(config.Canonical(v.Values))
}

// matchesETag reports whether an If-None-Match header names tag (or is
// "*"); weak tags compare by their opaque part, as RFC 9110 says.
func matchesETag(header, tag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == tag || t == "*" {
			return true
		}
	}
	return false
}

// configStream handles GET /v1/configs/{name}/stream (?instance=ID):
// Server-Sent Events, one "config" event (id: the version, data: an
// api.ConfigUpdate) now and one at each change of the version the
// caller should have, waking on every committed store write. A
// Last-Event-ID naming the current version skips the first.
func (h *handler) configStream(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		writeError(w, h.cfg.Logger, fmt.Errorf("streaming unsupported"))
		return
	}
	// changed is taken before each read: a write committed between the
	// read and the wait would otherwise go unsent until the next write
	// (or the keep-alive).
	changed := h.in(r).Changes()
	v, err := h.readCurrent(r)
	if err != nil {
		writeError(w, h.cfg.Logger, err) // an unknown config is a 404, not an empty stream
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	sent, _ := strconv.Atoi(r.Header.Get("Last-Event-ID"))
	for {
		if v.Version != sent {
			data, _ := json.Marshal(api.ConfigUpdate{Name: v.Name, Version: v.Version, Values: v.Values})
			fmt.Fprintf(w, "id: %d\nevent: config\ndata: %s\n\n", v.Version, data)
			sent = v.Version
		}
		flusher.Flush()
		select {
		case <-r.Context().Done():
			return
		case <-changed:
		case <-time.After(keepAlive):
			fmt.Fprint(w, ": keep-alive\n\n")
		}
		changed = h.in(r).Changes()
		if v, err = h.readCurrent(r); err != nil {
			return // the config went away, or the store: the client reconnects
		}
	}
}
