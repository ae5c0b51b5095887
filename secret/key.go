package secret

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"filippo.io/age"

	"github.com/slipway-dev/slipway/internal/atomicfile"
)

// MaxSize is the largest secret value the server stores (64 KiB: a key,
// a certificate bundle, a small credentials file).
const MaxSize = 64 << 10

// Box seals and opens secret values with one age X25519 key.
type Box struct {
	id *age.X25519Identity
}

// LoadOrCreateKey returns a Box over the key in path, an age identity
// file (AGE-SECRET-KEY-1...). When path does not exist it makes a new
// key there, mode 0600; an existing key file readable by others is
// refused, since whoever reads it reads every secret.
func LoadOrCreateKey(path string) (*Box, error) {
	b, err := LoadKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return b, err
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, fmt.Errorf("make secrets key: %w", err)
	}
	if err := atomicfile.WriteFile(path, []byte(id.String()+"\n")); err != nil {
		return nil, fmt.Errorf("write secrets key %s: %w", path, err)
	}
	return &Box{id: id}, nil
}

// LoadKey returns a Box over the age identity in path, the first
// X25519 identity the file holds; fs.ErrNotExist (wrapped) when there
// is no such file.
func LoadKey(path string) (*Box, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("secrets key: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("secrets key %s is mode %04o: others may read it; chmod 600 %s", path, st.Mode().Perm(), path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("secrets key: %w", err)
	}
	ids, err := age.ParseIdentities(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("secrets key %s: want an age identity file (age-keygen's AGE-SECRET-KEY-1...): %w", path, err)
	}
	for _, id := range ids {
		if x, ok := id.(*age.X25519Identity); ok {
			return &Box{id: x}, nil
		}
	}
	return nil, fmt.Errorf("secrets key %s: no X25519 identity (AGE-SECRET-KEY-1...) in it", path)
}

// Seal encrypts value to the box's key.
func (b *Box) Seal(value []byte) ([]byte, error) {
	var out bytes.Buffer
	w, err := age.Encrypt(&out, b.id.Recipient())
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	if _, err := w.Write(value); err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return out.Bytes(), nil
}

// Open decrypts what Seal made with the same key.
func (b *Box) Open(sealed []byte) ([]byte, error) {
	r, err := age.Decrypt(bytes.NewReader(sealed), b.id)
	if err != nil {
		return nil, fmt.Errorf("unseal (was it sealed with another key than the server's?): %w", err)
	}
	v, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("unseal: %w", err)
	}
	return v, nil
}

// Same reports whether sealed holds value, in time that does not depend
// on where they differ.
func (b *Box) Same(sealed, value []byte) (bool, error) {
	v, err := b.Open(sealed)
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(v, value) == 1, nil
}
