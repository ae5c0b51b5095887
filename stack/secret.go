package stack

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

// randomSecret draws a blue/green preview's secret: 128 random bits in
// hex. Whoever sends it in the preview header reaches the unreleased
// revision, so it must not be guessable.
func randomSecret() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("read random bytes: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}
