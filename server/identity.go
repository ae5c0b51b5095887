package server

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slipway-dev/slipway/client"
	"github.com/slipway-dev/slipway/httpapi"
	"github.com/slipway-dev/slipway/internal/atomicfile"
)

// keyring holds the bearer tokens the server accepts, by the SHA-256 of
// their value: the values themselves are kept nowhere in memory.
type keyring struct {
	mu     sync.RWMutex // guards byHash, used (the maps; not the clocks they point to)
	byHash map[[sha256.Size]byte]accepted
	// used is when each principal's token was last accepted, by name, in
	// Unix nanoseconds (0: not since the server started). Lookup, on
	// every request and flag evaluation, only reads the maps and stores
	// a clock atomically, so token checks never wait on one another.
	used map[string]*atomic.Int64
	// instances sign and check each instance's own credential.
	instances instanceKeys
}

// accepted is one accepted token: whose it is and its principal's clock.
type accepted struct {
	p    httpapi.Principal
	used *atomic.Int64
}

var _ httpapi.Tokens = (*keyring)(nil)

func newKeyring() *keyring {
	return &keyring{byHash: map[[sha256.Size]byte]accepted{}, used: map[string]*atomic.Int64{}}
}

// add accepts value as p's token.
func (k *keyring) add(value string, p httpapi.Principal) {
	k.addHash(sha256.Sum256([]byte(value)), p)
}

// addHash accepts the token whose value hashes to sum as p's.
func (k *keyring) addHash(sum [sha256.Size]byte, p httpapi.Principal) {
	k.mu.Lock()
	defer k.mu.Unlock()
	used := k.used[p.Name]
	if used == nil {
		used = new(atomic.Int64)
		k.used[p.Name] = used
	}
	k.byHash[sum] = accepted{p: p, used: used}
}

// remove forgets the token whose value hashes to sum.
func (k *keyring) remove(sum [sha256.Size]byte) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.byHash, sum)
}

// Lookup implements httpapi.Tokens. Comparing hashes of a 256-bit value
// leaks nothing useful through timing.
func (k *keyring) Lookup(value string) (httpapi.Principal, bool) {
	if strings.HasPrefix(value, instanceTokenPrefix) {
		return k.instances.lookup(value)
	}
	sum := sha256.Sum256([]byte(value))
	k.mu.RLock()
	e, ok := k.byHash[sum]
	k.mu.RUnlock()
	if !ok {
		return httpapi.Principal{}, false
	}
	e.used.Store(time.Now().UnixNano())
	return e.p, true
}

// lastUsed is when the token of the principal named name was last
// accepted since the server started.
func (k *keyring) lastUsed(name string) time.Time {
	k.mu.RLock()
	used := k.used[name]
	k.mu.RUnlock()
	if used == nil {
		return time.Time{}
	}
	if n := used.Load(); n != 0 {
		return time.Unix(0, n)
	}
	return time.Time{}
}

// checkKey is OFREP's key check: any token the server knows, whatever
// its role, may evaluate flags.
func (k *keyring) checkKey(value string) error {
	if p, ok := k.Lookup(value); !ok || p.Instance != "" { // an instance's own reads only its configs
		return errUnknownKey
	}
	return nil
}

// newTokenValue returns a fresh random token: 256 bits, hex, with a
// prefix that secret scanners can recognise.
func newTokenValue() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return "slw_" + hex.EncodeToString(b), nil
}

// secretFile returns the token kept in path (mode 0600), writing want
// there first when it is set and differs, or a new one when the file
// does not exist yet.
func secretFile(path, want string) (string, error) {
	b, err := os.ReadFile(path)
	have := strings.TrimSpace(string(b))
	switch {
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("read %s: %w", path, err)
	case want == "" && have != "":
		return have, nil
	case want == "":
		if want, err = newTokenValue(); err != nil {
			return "", err
		}
	case want == have:
		return have, nil
	}
	if err := atomicfile.WriteFile(path, []byte(want+"\n")); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return want, nil
}

// flagKeyPrincipal names the i-th --flag-key (from 1), never its value.
func flagKeyPrincipal(i int) httpapi.Principal {
	return httpapi.Principal{Name: "flag-key:" + strconv.Itoa(i), Role: httpapi.RoleEvaluator}
}

// identity loads the tokens the server accepts: the admin token (--token,
// else DATA/admin.token, made at first start) and the evaluation keys
// (--flag-key).
func (s *Server) identity() (*keyring, error) {
	keys := newKeyring()
	admin, err := secretFile(client.AdminTokenFor(s.cfg.DataDir), s.cfg.Token)
	if err != nil {
		return nil, fmt.Errorf("admin token: %w", err)
	}
	keys.add(admin, httpapi.Principal{Name: "token:admin", Role: httpapi.RoleAdmin})
	for i, k := range s.cfg.FlagKeys {
		keys.add(k, flagKeyPrincipal(i+1))
	}
	return keys, nil
}

// instanceKey returns the evaluation key an environment's instances get
// in SLIPWAY_FLAG_KEY, kept in its folder (flag.key, 0600) so that
// instances adopted after a restart still hold a valid one, and accepts
// it.
func (s *Server) instanceKey(name, dir string) (string, error) {
	key, err := secretFile(filepath.Join(dir, "flag.key"), "")
	if err != nil {
		return "", fmt.Errorf("environment %s's evaluation key: %w", name, err)
	}
	s.keys.add(key, httpapi.Principal{Name: "env:" + name + " instances", Role: httpapi.RoleEvaluator})
	return key, nil
}

// SocketPath returns the API's own Unix socket: once Run listens, the
// one it listens on; before, --socket or DATA/slipway.sock.
func (s *Server) SocketPath() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.socket != "" {
		return s.socket
	}
	if s.cfg.Socket != "" {
		return s.cfg.Socket
	}
	p, _ := client.DataSocket(s.cfg.DataDir)
	return p
}
