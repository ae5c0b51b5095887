package spec

import (
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Volume is a folder of the app's that outlives revisions: kept across
// new revisions, rollbacks and restarts, removed only by `slipway volume
// rm`. Services mount it (Service.Mounts); it is owned by the user of the
// service that mounts it.
type Volume struct {
	// Path is the folder on the server's machine, absolute; never inside
	// the server's data folder or over a system directory.
	Path string `yaml:"path" json:"path"`
	// Shared lets more than one service mount the volume (they must then
	// run as one user, or agree on permissions); without it a second
	// service's mount is refused, since two services writing one folder
	// is rarely meant.
	Shared bool `yaml:"shared,omitempty" json:"shared,omitempty"`
}

// Mount puts a volume into a service's instances: a container gets a
// bind mount at At, a process a link At in its working directory.
type Mount struct {
	// Volume names one of the app's volumes.
	Volume string `yaml:"volume" json:"volume"`
	// At is where instances see it: relative to the working directory
	// (./uploads), or, in a container only, an absolute path.
	At string `yaml:"at" json:"at"`
	// Path is the volume's folder, filled in from the app's volumes
	// (ApplyDefaults), so that a revision names exactly what it mounts.
	// Not written in a spec.
	Path string `yaml:"path,omitempty" json:"path,omitempty"`
}

// systemDirs are directories a volume may be neither over nor inside
// (the tree of each), and roots it may not be (exactly).
var (
	systemTrees = []string{"/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/run", "/sbin", "/sys", "/usr"}
	systemRoots = []string{"/", "/home", "/media", "/mnt", "/opt", "/root", "/srv", "/tmp", "/var", "/var/lib", "/var/log", "/var/tmp"}
)

// resolveMounts fills each mount's Path from the app's volumes.
func (a *App) resolveMounts() {
	for _, s := range a.Services {
		if s == nil {
			continue
		}
		for i, m := range s.Mounts {
			if vol := a.Volumes[m.Volume]; vol != nil {
				s.Mounts[i].Path = filepath.Clean(vol.Path)
			}
		}
	}
}

// volumes checks the app's volumes: names, paths (absolute, not over a
// system directory or inside the server's data folder, no two the same
// or one inside another).
func (v *validator) volumes() {
	names := sortedNames(v.app.Volumes)
	for _, name := range names {
		p := "volumes." + name
		if !isDNSLabel(name) {
			v.addf(p, "invalid volume name %q: %s", name, dnsLabelRule)
		}
		vol := v.app.Volumes[name]
		if vol == nil {
			v.addf(p, "empty volume: write {path: /var/lib/APP/NAME}")
			continue
		}
		v.volumePath(p+".path", vol.Path)
	}
	for i, a := range names {
		for _, b := range names[i+1:] {
			va, vb := v.app.Volumes[a], v.app.Volumes[b]
			if va == nil || vb == nil || !filepath.IsAbs(va.Path) || !filepath.IsAbs(vb.Path) {
				continue
			}
			pa, pb := filepath.Clean(va.Path), filepath.Clean(vb.Path)
			switch {
			case pa == pb:
				v.addf("volumes."+b+".path", "same path as volume %s (%s): each volume needs a folder of its own", a, pa)
			case within(pb, pa) || within(pa, pb):
				v.addf("volumes."+b+".path", "%s and volume %s's %s are one inside the other: give each volume a folder of its own", pb, a, pa)
			}
		}
	}
}

// within reports whether path is inside dir (not dir itself).
func within(path, dir string) bool {
	return strings.HasPrefix(path, strings.TrimSuffix(dir, "/")+"/")
}

func (v *validator) volumePath(p, path string) {
	clean := filepath.Clean(path)
	switch {
	case path == "":
		v.addf(p, "required: the volume's folder on the server's machine, an absolute path like /var/lib/shop/uploads")
	case !filepath.IsAbs(path):
		v.addf(p, "must be an absolute path, like /var/lib/shop/uploads; got %q", path)
	case slices.Contains(systemRoots, clean):
		v.addf(p, "%s is a system directory: use a folder of the app's own inside it, like /var/lib/shop/uploads", clean)
	case slices.ContainsFunc(systemTrees, func(d string) bool { return clean == d || within(clean, d) }):
		v.addf(p, "%s is over a system directory: use a folder of the app's own, like /var/lib/shop/uploads or /srv/shop/uploads", clean)
	case v.opts.DataDir != "" && (clean == filepath.Clean(v.opts.DataDir) || within(clean, filepath.Clean(v.opts.DataDir)) || within(filepath.Clean(v.opts.DataDir), clean)):
		v.addf(p, "%s overlaps the server's data folder %s, which the server owns (backups, instances): use a folder outside it, like /var/lib/shop/uploads", clean, v.opts.DataDir)
	}
}

// mounts checks a service's mounts: declared volumes, where they go, and
// a volume's second service only when it is shared.
func (v *validator) mounts(p string, s *Service) {
	seen := map[string]bool{}
	for i, m := range s.Mounts {
		mp := p + ".mounts[" + strconv.Itoa(i) + "]"
		vol := v.app.Volumes[m.Volume]
		switch {
		case m.Volume == "":
			v.addf(mp+".volume", "required: the name of one of the app's volumes (%s)", volumeList(v.app.Volumes))
		case vol == nil:
			v.addf(mp+".volume", "unknown volume %q%s; declare it under volumes: (declared: %s)", m.Volume, didYouMean(m.Volume, sortedNames(v.app.Volumes)), volumeList(v.app.Volumes))
		case seen[m.Volume]:
			v.addf(mp+".volume", "volume %s is mounted twice: mount it once", m.Volume)
		}
		seen[m.Volume] = true
		if v.set(mp + ".path") {
			v.addf(mp+".path", "a mount names its volume; the folder is the volume's: set it under volumes.%s.path", m.Volume)
		}
		v.mountAt(mp+".at", m.At, s.Image != "")
	}
}

func (v *validator) mountAt(p, at string, image bool) {
	clean := filepath.Clean(at)
	switch {
	case at == "":
		v.addf(p, "required: where instances see the volume, like ./uploads (relative to the working directory)")
	case filepath.IsAbs(at) && !image:
		v.addf(p, "a process sees a volume in its working directory: write a relative path like ./uploads (an absolute one is for a service that runs an image)")
	case clean == "." || clean == "/" || clean == ".." || strings.HasPrefix(clean, "../"):
		v.addf(p, "must be a folder inside the working directory (or, in an image, a path other than /), like ./uploads; got %q", at)
	}
}

// sharing reports a volume that two services mount without shared: true,
// at the second service's mount.
func (v *validator) sharing() {
	first := map[string]string{}
	for _, name := range sortedNames(v.app.Services) {
		s := v.app.Services[name]
		if s == nil {
			continue
		}
		for i, m := range s.Mounts {
			vol := v.app.Volumes[m.Volume]
			if vol == nil || vol.Shared {
				continue
			}
			if other, ok := first[m.Volume]; ok && other != name {
				v.addf("services."+name+".mounts["+strconv.Itoa(i)+"].volume",
					"volume %s is mounted by service %s already: set shared: true on volumes.%s to let two services use it", m.Volume, other, m.Volume)
				continue
			}
			first[m.Volume] = name
		}
	}
}

func volumeList(vols map[string]*Volume) string {
	if len(vols) == 0 {
		return "none"
	}
	return strings.Join(sortedNames(vols), ", ")
}

func cloneMounts(ms []Mount) []Mount { return slices.Clone(ms) }
