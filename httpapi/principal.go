package httpapi

import (
	"context"
	"fmt"
)

// Role is what a credential may do. Roles are ordered: each may do all
// that the roles below it may, except that an evaluator may only
// evaluate flags (OFREP), which every role may.
//
//	evaluator < viewer < deployer < admin
type Role int

// The roles, weakest first. RoleNone is a caller who is known (a socket
// peer, say) but may do nothing.
const (
	RoleNone Role = iota
	RoleEvaluator
	RoleViewer
	RoleDeployer
	RoleAdmin
)

// String returns the role's name as the CLI and the API spell it.
func (r Role) String() string {
	switch r {
	case RoleEvaluator:
		return "evaluator"
	case RoleViewer:
		return "viewer"
	case RoleDeployer:
		return "deployer"
	case RoleAdmin:
		return "admin"
	}
	return "none"
}

// ParseRole returns the role named s.
func ParseRole(s string) (Role, error) {
	for r := RoleEvaluator; r <= RoleAdmin; r++ {
		if r.String() == s {
			return r, nil
		}
	}
	return RoleNone, fmt.Errorf("role %q: want viewer, deployer, admin or evaluator", s)
}

// Allows reports whether a caller with role r may do what needs min.
func (r Role) Allows(min Role) bool { return min != RoleNone && r >= min }

// Principal is who makes a request, as the server established it from
// the request's credentials (never from what the client claims): a
// token's name ("token:NAME") or a socket peer ("uid:1000 (alice)").
type Principal struct {
	Name string
	Role Role
	// Instance, when set, scopes the principal to one instance of
	// environment Env (an instance's own credential): it may read the
	// values and stream of the configs its service reads, its own
	// version, while the instance lives; nothing else (scopedRoutes).
	Instance, Env string
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p. The server sets it on the
// connections of its Unix socket, from the peer's credentials.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal ctx carries, if any.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// Tokens looks up bearer tokens.
type Tokens interface {
	// Lookup returns the principal of the token whose value is value,
	// and false for an unknown or revoked one.
	Lookup(value string) (Principal, bool)
}
