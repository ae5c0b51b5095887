package httpapi

import (
	"fmt"
	"net"
	"slices"

	"github.com/slipway-dev/slipway/spec"
)

// RouterPolicy says where a spec may put an environment's router
// (environments.NAME.router). Loopback addresses are always allowed;
// any other (0.0.0.0, a public address) serves the environment's
// services to the network, which is the server operator's decision, not
// a spec writer's. The zero value allows loopback only.
type RouterPolicy struct {
	// AllowPublic allows any address (slipway server --allow-public-router).
	AllowPublic bool
	// Allowed are the other addresses allowed, each host:port or a host
	// (slipway server --allow-router).
	Allowed []string
}

// allows reports whether a router may listen on addr.
func (p RouterPolicy) allows(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false // the spec's own check reports it
	}
	if LoopbackAddrHost(host) || p.AllowPublic {
		return true
	}
	return slices.Contains(p.Allowed, addr) || slices.Contains(p.Allowed, host)
}

// LoopbackAddrHost reports whether host, of an address to listen on,
// names the loopback interface only: an empty host, like 0.0.0.0 and ::,
// means every interface. (LoopbackHost is for a Host header, which may
// also say *.localhost.)
func LoopbackAddrHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkRouters refuses a spec that puts an environment's router on an
// address the server does not allow, at the address's line, before
// anything is stored or any listener opened.
func (h *handler) checkRouters(app *spec.App, file string) error {
	var ps spec.Problems
	for _, name := range app.EnvironmentNames() {
		e, ok := app.Env(name)
		if !ok {
			continue
		}
		addrs := map[string]string{"environments." + name + ".router": e.Router}
		if e.TLS != nil {
			addrs["environments."+name+".tls.address"] = e.TLS.Address
		}
		for path, addr := range addrs {
			if addr == "" || h.cfg.Routers.allows(addr) {
				continue
			}
			ps = append(ps, spec.Problem{File: file, Line: app.Line(path), Path: path, Message: fmt.Sprintf(
				"%s is not a loopback address: a router there serves the environment to the network, which needs the server's permission "+
					"(slipway server --allow-public-router, or --allow-router %s); or use 127.0.0.1", addr, addr)})
		}
	}
	if len(ps) > 0 {
		return &ps
	}
	return nil
}
