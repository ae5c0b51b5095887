package server

import (
	"context"
	"fmt"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/dashboard"
	"github.com/slipway-dev/slipway/httpapi"
	"github.com/slipway-dev/slipway/spec"
)

// dashboardAsUser makes an in-process API request act as a dashboard
// session's user (one opened by a one-time link): its principal, as
// the socket that asked for the link established it.
func dashboardAsUser(ctx context.Context, u dashboard.User) context.Context {
	role, err := httpapi.ParseRole(u.Role)
	if err != nil {
		return ctx // no principal: the API refuses the request
	}
	return httpapi.WithPrincipal(ctx, httpapi.Principal{Name: u.Name, Role: role})
}

// loginLink returns a one-time dashboard link for p on the API's TCP
// address (a browser cannot open the Unix socket).
func (s *Server) loginLink(dash **dashboard.Dashboard, p httpapi.Principal) (api.LoginLink, error) {
	if !p.Role.Allows(httpapi.RoleViewer) {
		return api.LoginLink{}, fmt.Errorf("%s (role %s) may not use the dashboard: it needs viewer or stronger", p.Name, p.Role)
	}
	path, exp := (*dash).Grant(dashboard.User{Name: p.Name, Role: p.Role.String()})
	return api.LoginLink{URL: "http://" + s.Addr() + path, Expires: exp}, nil
}

// dashboardChanges wakes the dashboard's live views of an environment
// at its store's next commit ("" is the default environment).
func dashboardChanges(envs *hosted) func(env string) <-chan struct{} {
	return func(env string) <-chan struct{} {
		if env == "" {
			env = spec.DefaultEnvironment
		}
		p, ok := envs.get(env)
		if !ok {
			return nil // unknown: the live view polls, and shows the API's 404
		}
		return p.store.Changed()
	}
}
