package artifact

import (
	"errors"
	"fmt"
	"strings"
)

// Errors the Store returns; test them with errors.Is.
var (
	// ErrNotFound means no artifact has the digest asked for.
	ErrNotFound = errors.New("artifact not found")
	// ErrInvalidDigest means a digest is not "sha256:" and 64 lowercase
	// hex digits.
	ErrInvalidDigest = errors.New("invalid digest")
	// ErrDigestMismatch means content did not hash to the digest it was
	// put with.
	ErrDigestMismatch = errors.New("digest mismatch")
)

const (
	algorithm = "sha256"
	prefix    = algorithm + ":"
	hexLen    = 64
)

// parseDigest returns the hex part of a well-formed digest. Accepting only
// lowercase hex of the exact length is what keeps a digest from naming
// anything outside the store (no "/", "..", or temp-file names).
func parseDigest(digest string) (string, error) {
	hex, ok := strings.CutPrefix(digest, prefix)
	if !ok || len(hex) != hexLen || !isLowerHex(hex) {
		return "", fmt.Errorf("%w: %q", ErrInvalidDigest, digest)
	}
	return hex, nil
}

func isLowerHex(s string) bool {
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Short shortens "sha256:<hex>" to "sha256:" and 12 hex digits, for
// messages (a digest of another shape is returned as it is).
func Short(digest string) string {
	const keep = len(prefix) + 12
	if len(digest) > keep {
		return digest[:keep]
	}
	return digest
}
