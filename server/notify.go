package server

import (
	"context"
	"path/filepath"

	"github.com/slipway-dev/slipway/notify"
)

// linkKeys returns the approval links of --public-url, signed with the
// key in DATA/links.key (made 0600 at first start); nil without a public
// URL.
func (s *Server) linkKeys() (*notify.Links, error) {
	if s.cfg.PublicURL == "" {
		return nil, nil
	}
	key, err := notify.LoadOrCreateLinkKey(filepath.Join(s.cfg.DataDir, "links.key"))
	if err != nil {
		return nil, err
	}
	return notify.NewLinks(key, s.cfg.PublicURL)
}

// notify sends the environment's events to the destinations its spec's
// notifications: name, until ctx ends.
func (s *Server) notify(ctx context.Context, p *parts) {
	d := notify.New(notify.Config{
		Env: notify.Log{Name: p.name, Store: p.store, Changed: p.store.Changed},
		Hub: notify.Hub(p.name, s.hubLog), Box: s.secrets, Links: s.links,
		Clock: s.cfg.Clock, Logger: s.cfg.Logger.With("env", p.name),
	})
	if err := d.Run(ctx); err != nil {
		s.cfg.Logger.Error("notifications stopped", "env", p.name, "err", err)
	}
}
