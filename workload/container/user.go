package container

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/slipway-dev/slipway/workload"
)

// credential is who a container's process runs as.
type credential struct {
	UID, GID uint32
}

// credentialFor decides who s runs as: the spec's user when it names one
// ("root" or "0" is the only way to root), else the image's user when it
// is not root, else the service's dynamic user (as the process driver
// picks it, shared through Options.Users). Names resolve in the image's
// /etc/passwd and /etc/group, not the host's.
func (d *Driver) credentialFor(s workload.InstanceSpec) (credential, error) {
	if s.User != "" {
		return resolveUser(s.Image.Rootfs, s.User)
	}
	if u := s.Image.User; u != "" {
		c, err := resolveUser(s.Image.Rootfs, u)
		if err != nil {
			return credential{}, fmt.Errorf("image user: %w", err)
		}
		if c.UID != 0 {
			return c, nil
		}
	}
	key := s.Service
	if key == "" {
		key = s.ID
	}
	if d.opts.UserScope != "" {
		key = d.opts.UserScope + "/" + key
	}
	id, err := d.users.Allocate(key)
	if err != nil {
		return credential{}, err
	}
	return credential{UID: uint32(id), GID: uint32(id)}, nil
}

// resolveUser resolves "USER[:GROUP]" (names or numbers) in the image's
// account files. A numeric user missing from passwd gets GID = UID, as
// process.ParseUser does on the host.
func resolveUser(rootfs, spec string) (credential, error) {
	name, group, hasGroup := strings.Cut(spec, ":")
	uid, gid, err := lookup(rootfs, "etc/passwd", name, 2, 3)
	if err != nil {
		return credential{}, err
	}
	if hasGroup {
		if gid, _, err = lookup(rootfs, "etc/group", group, 2, 2); err != nil {
			return credential{}, err
		}
	}
	return credential{UID: uid, GID: gid}, nil
}

// lookup finds name (or a number) in an account file of the image and
// returns fields a and b of its line. A number not in the file is itself
// (twice).
func lookup(rootfs, file, name string, a, b int) (uint32, uint32, error) {
	if n, err := strconv.ParseUint(name, 10, 31); err == nil {
		if x, y, ok := scanAccounts(rootfs, file, 2, name, a, b); ok {
			return x, y, nil
		}
		return uint32(n), uint32(n), nil
	}
	if x, y, ok := scanAccounts(rootfs, file, 0, name, a, b); ok {
		return x, y, nil
	}
	if name == "root" {
		return 0, 0, nil
	}
	return 0, 0, fmt.Errorf("user or group %q not found in the image's /%s", name, file)
}

// scanAccounts reads a passwd-style file through an os.Root (the image is
// untrusted: its /etc/passwd may be a symlink out) and returns fields a
// and b of the first line whose field key equals want.
func scanAccounts(rootfs, file string, key int, want string, a, b int) (uint32, uint32, bool) {
	root, err := os.OpenRoot(rootfs)
	if err != nil {
		return 0, 0, false
	}
	defer root.Close()
	f, err := root.Open(file)
	if err != nil {
		return 0, 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, 1<<20))
	for sc.Scan() {
		fields := strings.Split(sc.Text(), ":")
		if len(fields) <= max(key, a, b) || fields[key] != want {
			continue
		}
		x, err1 := strconv.ParseUint(fields[a], 10, 31)
		y, err2 := strconv.ParseUint(fields[b], 10, 31)
		if err1 == nil && err2 == nil {
			return uint32(x), uint32(y), true
		}
	}
	return 0, 0, false
}
