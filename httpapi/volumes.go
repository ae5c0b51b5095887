package httpapi

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// volumes handles GET /v1/volumes: the applied spec's volumes, and any a
// revision still mounts, with their sizes.
func (h *handler) volumes(w http.ResponseWriter, r *http.Request) {
	vols, err := h.volumeList(r)
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	for i := range vols {
		vols[i].Size, vols[i].Exists = folderSize(vols[i].Path)
	}
	writeJSON(w, http.StatusOK, vols)
}

// removeVolume handles DELETE /v1/volumes/{name}: the folder and its
// files go, unless a revision that runs or may run mounts it.
func (h *handler) removeVolume(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	vols, err := h.volumeList(r)
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	i := slices.IndexFunc(vols, func(v api.Volume) bool { return v.Name == name })
	if i < 0 {
		writeError(w, h.cfg.Logger, store.NotFoundf("no volume %q", name))
		return
	}
	v := vols[i]
	if len(v.MountedBy) > 0 {
		writeError(w, h.cfg.Logger, store.Conflictf("volume %s is mounted by %v: remove its mounts from the spec and apply first (the folder %s is kept)", name, v.MountedBy, v.Path))
		return
	}
	if err := os.RemoveAll(v.Path); err != nil {
		writeError(w, h.cfg.Logger, fmt.Errorf("remove volume %s: %w", name, err))
		return
	}
	v.Size, v.Exists = 0, false
	writeJSON(w, http.StatusOK, v)
}

// volumeList reads the environment's volumes: those of the applied spec,
// and the mounts of every revision a service runs or targets.
func (h *handler) volumeList(r *http.Request) ([]api.Volume, error) {
	env := h.in(r)
	byName := map[string]*api.Volume{}
	err := env.Store.View(r.Context(), func(tx store.Tx) error {
		if a, err := tx.GetApp(); err == nil {
			if app, err := spec.ParseWith(a.File, []byte(a.Spec), spec.Options{Environment: env.Name, MaxInstancesPerService: -1}); err == nil {
				for name, v := range app.Volumes {
					if v != nil {
						byName[name] = &api.Volume{Name: name, Path: filepath.Clean(v.Path), Shared: v.Shared, MountedBy: []string{}}
					}
				}
			}
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return mountedBy(tx, byName)
	})
	if err != nil {
		return nil, err
	}
	out := make([]api.Volume, 0, len(byName))
	for _, v := range byName {
		sort.Strings(v.MountedBy)
		out = append(out, *v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// mountedBy notes, on each volume, the services whose target, stable or
// running revisions mount it.
func mountedBy(tx store.Tx, byName map[string]*api.Volume) error {
	svcs, err := tx.ListServices()
	if err != nil {
		return err
	}
	for _, svc := range svcs {
		revs := []int{svc.Revision, svc.Stable}
		ins, err := tx.ListInstances(svc.Name)
		if err != nil {
			return err
		}
		for _, in := range ins {
			revs = append(revs, in.Revision)
		}
		slices.Sort(revs)
		for _, n := range slices.Compact(revs) {
			if n == 0 || (svc.Removed && len(ins) == 0) {
				continue
			}
			rev, err := tx.GetRevision(svc.Name, n)
			if err != nil {
				return err
			}
			for _, m := range rev.Spec.Mounts {
				v := byName[m.Volume]
				if v == nil {
					v = &api.Volume{Name: m.Volume, Path: m.Path, MountedBy: []string{}}
					byName[m.Volume] = v
				}
				v.MountedBy = append(v.MountedBy, fmt.Sprintf("%s (revision %d)", svc.Name, n))
			}
		}
	}
	return nil
}

// folderSize sums the sizes of the files under dir (links not followed);
// -1 when it could not be read.
func folderSize(dir string) (int64, bool) {
	if _, err := os.Lstat(dir); err != nil {
		return 0, false
	}
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	if err != nil {
		return -1, true
	}
	return n, true
}
