package process

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/slipway-dev/slipway/internal/atomicfile"
)

// The range of dynamic users, as systemd's DynamicUser= picks them: no
// distribution gives these IDs to anyone, and they fit in 16 bits.
const (
	DynamicUIDFirst = 61184
	DynamicUIDLast  = 65519
)

// Users hands out one dynamic user ID per key (a service), stable for
// ever: the choice is recorded in a JSON file, so a restarted server, and
// the instances it adopts, keep the same user. The group ID is the user
// ID. Safe for concurrent use; share one Users between the Drivers of a
// server so that no two keys get the same ID.
type Users struct {
	path string
	mu   sync.Mutex // guards the file
}

// NewUsers returns Users recorded in the file at path (created on the
// first Allocate).
func NewUsers(path string) *Users { return &Users{path: path} }

// Allocate returns key's user ID, picking and recording one the first
// time: the hash of key within the range, or the next free one.
func (u *Users) Allocate(key string) (int, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	m, err := u.read()
	if err != nil {
		return 0, err
	}
	if id, ok := m[key]; ok {
		return id, nil
	}
	id, err := pickFree(key, m)
	if err != nil {
		return 0, err
	}
	m[key] = id
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(filepath.Dir(u.path), 0o700); err != nil {
		return 0, fmt.Errorf("record dynamic user of %s: %w", key, err)
	}
	if err := atomicfile.WriteFile(u.path, data); err != nil {
		return 0, fmt.Errorf("record dynamic user of %s: %w", key, err)
	}
	return id, nil
}

// read reads the recorded users; a missing file records none.
func (u *Users) read() (map[string]int, error) {
	m := map[string]int{}
	data, err := os.ReadFile(u.path)
	if errors.Is(err, os.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read dynamic users: %w", err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("read dynamic users %s: %w", u.path, err)
	}
	return m, nil
}

// pickFree returns the first ID, from key's hash on, that no recorded key
// holds and no account of the system has.
func pickFree(key string, taken map[string]int) (int, error) {
	used := map[int]bool{}
	for _, id := range taken {
		used[id] = true
	}
	h := fnv.New32a()
	h.Write([]byte(key))
	const n = DynamicUIDLast - DynamicUIDFirst + 1
	start := int(h.Sum32() % n)
	for i := range n {
		id := DynamicUIDFirst + (start+i)%n
		if _, err := user.LookupId(strconv.Itoa(id)); !used[id] && err != nil {
			return id, nil
		}
	}
	return 0, fmt.Errorf("no free dynamic user for %s in %d-%d", key, DynamicUIDFirst, DynamicUIDLast)
}

// credential is who an instance runs as, recorded in instance.json.
type credential struct {
	UID int `json:"uid"`
	GID int `json:"gid"`
}

// root reports whether c is the superuser.
func (c credential) root() bool { return c.UID == 0 }

// ParseUser resolves a spec's user: "NAME", "UID" or either with ":GID"
// (or ":GROUP"). A name is looked up in the system's accounts; a bare UID
// runs with GID = UID. "" is not a user: the caller picks a dynamic one.
func ParseUser(s string) (uid, gid int, err error) {
	name, group, hasGroup := strings.Cut(s, ":")
	uid, gid, err = lookupUser(name)
	if err != nil {
		return 0, 0, err
	}
	if hasGroup {
		if gid, err = lookupGroup(group); err != nil {
			return 0, 0, err
		}
	}
	return uid, gid, nil
}

// lookupUser returns a user's ID and primary group.
func lookupUser(name string) (uid, gid int, err error) {
	if id, err := strconv.Atoi(name); err == nil {
		if id < 0 || id > 1<<31-1 {
			return 0, 0, fmt.Errorf("user %q: out of range", name)
		}
		return id, id, nil
	}
	u, err := user.Lookup(name)
	if err != nil {
		return 0, 0, fmt.Errorf("user %q: %w", name, err)
	}
	uid, _ = strconv.Atoi(u.Uid)
	gid, _ = strconv.Atoi(u.Gid)
	return uid, gid, nil
}

// lookupGroup returns a group's ID.
func lookupGroup(name string) (int, error) {
	if id, err := strconv.Atoi(name); err == nil {
		if id < 0 || id > 1<<31-1 {
			return 0, fmt.Errorf("group %q: out of range", name)
		}
		return id, nil
	}
	g, err := user.LookupGroup(name)
	if err != nil {
		return 0, fmt.Errorf("group %q: %w", name, err)
	}
	gid, _ := strconv.Atoi(g.Gid)
	return gid, nil
}
