package rollout

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/slipway-dev/slipway/config"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/workload"
)

// ConfigDirEnv names the folder of an instance's config files
// (NAME.json and NAME.json.version each), where a config added while it
// runs appears.
const ConfigDirEnv = "SLIPWAY_CONFIG_DIR"

// ConfigTokenEnv names an instance's own credential for reading its
// configs over HTTP (GET /v1/configs/NAME/values and /stream).
const ConfigTokenEnv = "SLIPWAY_CONFIG_TOKEN"

// ConfigHeader is the response header of an instance's readiness check
// that says which config versions it applied: "name=3, other=1".
const ConfigHeader = "Slipway-Config"

// configPoll is how soon a delivery in flight is looked at again: the
// delay between an instance applying its version and the delivery
// knowing it.
const configPoll = 200 * time.Millisecond

// configWrites remembers which version of which config this controller
// wrote to each instance, so that a pass rewrites (and signals) only
// what changed; a restarted server writes each once more.
type configWrites struct {
	mu sync.Mutex // guards written
	// written is the version written, by instance ID and config name.
	written map[[2]string]int
}

func (w *configWrites) get(id, name string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.written[[2]string{id, name}]
}

func (w *configWrites) set(id, name string, v int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.written == nil {
		w.written = map[[2]string]int{}
	}
	w.written[[2]string{id, name}] = v
}

// configRead is what a delivery pass reads from the store.
type configRead struct {
	latest    store.ConfigVersion
	delivery  *store.ConfigDelivery
	instances []store.Instance
	// release is the revision a delivery goes with, when it does.
	release releaseObs
}

// ReconcileConfig takes one safe step of config name's delivery to the
// instances of the service that reads it: it asks each instance which
// version it applied, decides (decideDelivery), writes the files of the
// instances whose version changes, and records the delivery with its
// event. It says when to come back while the delivery is in flight.
func (c *Controller) ReconcileConfig(ctx context.Context, name string) (time.Duration, error) {
	writer, files := c.cfg.Driver.(workload.ConfigWriter)
	r, err := c.readConfig(ctx, name)
	if err != nil || r.latest.Spec == nil {
		return 0, err
	}
	// A platform that delivers no files has no delivery to step, but a
	// version released with a revision still ends with it (its
	// instances read it over HTTP).
	if !files && (r.delivery == nil || r.delivery.Revision == 0) {
		return 0, nil
	}
	def := r.latest.Spec.Delivery
	var ready []string
	var acks map[string]int
	if files { // instances without files report nothing
		ready, acks = c.observeConfig(ctx, name, r.instances)
	}
	now := c.cfg.Clock.Now()
	measured := c.judgeDelivery(ctx, r, ready, acks, now)
	next, ev := decideDelivery(measured, def, name, deliveryObs{latest: r.latest.Version, instances: ready, applied: acks,
		release: r.release, now: now})
	var pending bool
	if files {
		if pending, err = c.writeConfigs(ctx, writer, r, &next); err != nil {
			return 0, err
		}
	}
	if err := c.saveDelivery(ctx, r, next, ev, now); err != nil {
		return 0, err
	}
	switch {
	case next.Revision != 0 && !next.Phase.Terminal():
		return releasePoll, nil
	case !next.Phase.Terminal() || pending:
		return configPoll, nil
	}
	return 0, nil
}

// releasePoll is how soon a delivery that goes with a revision is looked
// at again: its end follows the revision's, which a rollout decides
// (its instances got their files as they started).
const releasePoll = time.Second

func (c *Controller) readConfig(ctx context.Context, name string) (configRead, error) {
	var r configRead
	err := c.cfg.Store.View(ctx, func(tx store.Tx) error {
		var err error
		if r.latest, err = tx.GetConfigVersion(name, 0); err != nil {
			return err
		}
		d, err := tx.GetConfigDelivery(name)
		switch {
		case err == nil:
			r.delivery = &d
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		if r.latest.Spec == nil {
			return nil
		}
		if r.instances, err = tx.ListInstances(r.latest.Spec.Service); err != nil {
			return err
		}
		if r.delivery != nil && r.delivery.Revision != 0 {
			r.release, err = readRelease(tx, r.latest.Spec.Service, r.delivery.Revision)
		}
		return err
	})
	if errors.Is(err, store.ErrNotFound) && r.latest.Name == "" {
		return r, nil // removed meanwhile
	}
	return r, err
}

// observeConfig returns the ready instances, by ID, and the version of
// config name each reported applied on its readiness check (asked of
// all at once: a pass over 50 instances costs one round trip, not 50).
func (c *Controller) observeConfig(ctx context.Context, name string, ins []store.Instance) ([]string, map[string]int) {
	var ready []string
	var mu sync.Mutex // guards acks
	acks := map[string]int{}
	var wg sync.WaitGroup
	for _, in := range ins {
		if !in.Ready || in.State != store.InstanceRunning {
			continue
		}
		ready = append(ready, in.ID)
		path := c.readinessPath(ctx, in)
		if path == "" {
			continue // no HTTP check to carry the header: a written file counts as applied
		}
		wg.Go(func() {
			if v, ok := probeConfig(ctx, in.Port, path, name); ok {
				mu.Lock()
				acks[in.ID] = v
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.Sort(ready)
	return ready, acks
}

// readinessPath is the HTTP path of an instance's readiness check, ""
// when it has none.
func (c *Controller) readinessPath(ctx context.Context, in store.Instance) string {
	rev, err := c.revision(ctx, in.Service, in.Revision)
	if err != nil || rev.Spec.Health.Readiness == nil {
		return ""
	}
	return rev.Spec.Health.Readiness.HTTP
}

// configClient asks instances which config versions they applied. It is
// never changed: shared as http.DefaultClient is.
var configClient = &http.Client{Timeout: time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// probeConfig reads the version of config name an instance reports in
// ConfigHeader on its readiness path.
func probeConfig(ctx context.Context, port int, path, name string) (int, bool) {
	url := "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) + path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, false
	}
	req.Header.Set("User-Agent", "slipway-config")
	resp, err := configClient.Do(req)
	if err != nil {
		return 0, false
	}
	resp.Body.Close()
	return parseConfigHeader(resp.Header.Values(ConfigHeader), name)
}

// parseConfigHeader finds name's version in "a=1, b=2" values.
func parseConfigHeader(values []string, name string) (int, bool) {
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			k, n, ok := strings.Cut(strings.TrimSpace(part), "=")
			if !ok || k != name {
				continue
			}
			if v, err := strconv.Atoi(strings.TrimSpace(n)); err == nil {
				return v, true
			}
		}
	}
	return 0, false
}

// writeConfigs writes each running instance's file when the version it
// should have is not the one it reported or was last given, up to
// configWriters at a time. An instance without an HTTP check counts as
// applying what was written. It reports whether some instance has yet
// to apply its version.
func (c *Controller) writeConfigs(ctx context.Context, w workload.ConfigWriter, r configRead, d *store.ConfigDelivery) (bool, error) {
	name, pending := r.latest.Name, false
	values := map[int]store.ConfigVersion{r.latest.Version: r.latest}
	type write struct {
		in   store.Instance
		file workload.ConfigFile
	}
	var writes []write
	for _, in := range r.instances {
		want := d.Desired(in.ID, in.Revision)
		if in.State != store.InstanceRunning || want <= 0 || d.Applied[in.ID] == want {
			continue
		}
		pending = true
		if c.configs.get(in.ID, name) == want {
			continue // written: waiting for the instance to apply it
		}
		v, err := c.configVersion(ctx, name, want, values)
		if err != nil {
			return pending, err
		}
		writes = append(writes, write{in, workload.ConfigFile{Name: name, Version: want, Data: config.Canonical(v.Values),
			Signal: configSignal(r.latest.Spec)}})
	}
	errs := make([]error, len(writes))
	sem := make(chan struct{}, configWriters)
	var wg sync.WaitGroup
	for i, wr := range writes {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = w.WriteConfig(ctx, wr.in.ID, wr.file)
		})
	}
	wg.Wait()
	for i, wr := range writes {
		switch err := errs[i]; {
		case errors.Is(err, workload.ErrNotFound) || errors.Is(err, workload.ErrNoConfigFiles):
			continue // stopped meanwhile, or a container
		case err != nil:
			return pending, err
		}
		c.configs.set(wr.in.ID, name, wr.file.Version)
		if c.readinessPath(ctx, wr.in) == "" {
			d.Applied[wr.in.ID] = wr.file.Version
		}
	}
	return pending, nil
}

// configWriters bounds the config files written at once (each write
// costs two fsyncs).
const configWriters = 16

// configVersion reads version n of a config, once per pass.
func (c *Controller) configVersion(ctx context.Context, name string, n int, cache map[int]store.ConfigVersion) (store.ConfigVersion, error) {
	if v, ok := cache[n]; ok {
		return v, nil
	}
	var v store.ConfigVersion
	err := c.cfg.Store.View(ctx, func(tx store.Tx) (err error) {
		v, err = tx.GetConfigVersion(name, n)
		return err
	})
	cache[n] = v
	return v, err
}

func configSignal(c *spec.Config) syscall.Signal {
	switch c.Signal {
	case "SIGHUP":
		return syscall.SIGHUP
	case "SIGUSR1":
		return syscall.SIGUSR1
	case "SIGUSR2":
		return syscall.SIGUSR2
	}
	return 0
}

// saveDelivery stores the delivery when it changed, with its event.
func (c *Controller) saveDelivery(ctx context.Context, r configRead, next store.ConfigDelivery, ev store.EventType, now time.Time) error {
	if r.delivery != nil && sameDelivery(*r.delivery, next) {
		return nil
	}
	return c.cfg.Store.Update(ctx, func(tx store.Tx) error {
		if err := tx.PutConfigDelivery(next); err != nil {
			return err
		}
		if ev == "" {
			return nil
		}
		applied := 0
		for _, v := range next.Applied {
			if v == next.Version {
				applied++
			}
		}
		data, err := json.Marshal(store.ConfigData{Name: next.Name, Version: next.Version, Previous: next.Previous,
			Instances: applied, Reason: next.Reason})
		if err != nil {
			return err
		}
		_, err = tx.AppendEvent(store.Event{Time: now, Type: ev, Service: r.latest.Spec.Service, Data: data,
			Message: fmt.Sprintf("config %s %s: %s", next.Name, config.Version(next.Version), next.Reason)})
		return err
	})
}

func sameDelivery(a, b store.ConfigDelivery) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// instanceConfigs returns the config files a starting instance reads,
// each at the version its delivery gives it, and names their paths in
// env (spec.ConfigEnvVar; the version's path is that + ".version").
func (c *Controller) instanceConfigs(ctx context.Context, in store.Instance, env map[string]string) ([]workload.ConfigFile, error) {
	w, ok := c.cfg.Driver.(workload.ConfigWriter)
	if !ok || w.ConfigPath(in.ID, "x") == "" {
		return nil, nil
	}
	// The folder, named even when no config is read yet: a config added
	// later is written there, and the instance signalled, with no restart.
	env[ConfigDirEnv] = filepath.Dir(w.ConfigPath(in.ID, "x"))
	var files []workload.ConfigFile
	err := c.cfg.Store.View(ctx, func(tx store.Tx) error {
		all, err := tx.ListConfigs()
		if err != nil {
			return err
		}
		for _, latest := range all {
			if latest.Spec == nil || latest.Spec.Service != in.Service {
				continue
			}
			want := latest.Version
			if d, err := tx.GetConfigDelivery(latest.Name); err == nil {
				want = d.Desired(in.ID, in.Revision)
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			v, err := tx.GetConfigVersion(latest.Name, want)
			if err != nil {
				return err
			}
			env[spec.ConfigEnvVar(latest.Name)] = w.ConfigPath(in.ID, latest.Name)
			files = append(files, workload.ConfigFile{Name: latest.Name, Version: v.Version, Data: config.Canonical(v.Values)})
		}
		return nil
	})
	for _, f := range files {
		c.configs.set(in.ID, f.Name, f.Version)
	}
	return files, err
}
