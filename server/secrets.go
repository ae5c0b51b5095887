package server

import (
	"path/filepath"

	"github.com/slipway-dev/slipway/secret"
)

// secretsKey opens the key that seals secrets: the operator's
// (--secrets-key-file), which must exist, else DATA/secrets.key, made at
// first start.
func (s *Server) secretsKey() (*secret.Box, error) {
	if s.cfg.SecretsKeyFile != "" {
		return secret.LoadKey(s.cfg.SecretsKeyFile)
	}
	return secret.LoadOrCreateKey(filepath.Join(s.cfg.DataDir, "secrets.key"))
}
