package cli

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/client"
)

// Where the CLI looks for a server when --server and SLIPWAY_SERVER are
// not set, in order: the socket of a server on the local data folder
// (./.slipway, or SLIPWAY_DATA: DATA/slipway.sock, or the one
// DATA/socket.path names when that path is too long), then the system
// socket a root server listens on (/run/slipway/slipway.sock), then the
// default TCP address with the data folder's admin token.
func (e *env) resolve() (server, token string, tried []string) {
	token = e.token
	if token == "" && e.tokenFile != "" {
		token, _ = ReadSecretFile(e.tokenFile) // readToken reports its error
	}
	if e.server != "" {
		if token == "" && isDefaultTCP(e.server) {
			token = localAdminToken()
		}
		return e.server, token, nil
	}
	sock, ok := client.SocketFor(localDataDir())
	tried = append(tried, "unix://"+sock)
	if ok && answers(sock) {
		return "unix://" + sock, "", tried // the peer's uid is its credential
	}
	sys := e.systemSocketPath()
	tried = append(tried, "unix://"+sys)
	if answers(sys) {
		return "unix://" + sys, "", tried
	}
	if token == "" {
		token = localAdminToken()
	}
	return client.DefaultServer, token, append(tried, client.DefaultServer)
}

// answers reports whether this user may connect to the socket at path:
// a stale socket (its server killed) or one this user may not open (a
// root server's, 0600) is passed over for the next place.
func answers(path string) bool {
	c, err := net.DialTimeout("unix", path, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// systemSocketPath is where a root server's system socket is:
// client.SystemSocket, unless a test set env.systemSocket.
func (e *env) systemSocketPath() string {
	if e.systemSocket != "" {
		return e.systemSocket
	}
	return client.SystemSocket
}

// EnvData names the data folder of the local server the CLI looks for
// (default ./.slipway).
const EnvData = "SLIPWAY_DATA"

// localDataDir is the data folder of the local server the CLI looks for.
func localDataDir() string {
	return envOr(EnvData, client.DefaultDataDir)
}

// isDefaultTCP reports whether server is the default TCP address, whose
// admin token the CLI may read from the default data folder: never sent
// to any other server.
func isDefaultTCP(server string) bool {
	s := strings.TrimSuffix(strings.TrimPrefix(server, "http://"), "/")
	return s == strings.TrimPrefix(client.DefaultServer, "http://") || s == "localhost:7400"
}

// localAdminToken is the admin token of a server on the local data
// folder (localDataDir), when this user may read it.
func localAdminToken() string {
	token, _ := ReadSecretFile(client.AdminTokenFor(localDataDir()))
	return token
}

// unreachable adds to an unreachable server's error every place the CLI
// tried.
func unreachable(err error, tried []string) error {
	var u *client.UnreachableError
	if len(tried) < 2 || !errors.As(err, &u) {
		return err
	}
	return fmt.Errorf("%w (tried, in order: %s)", err, strings.Join(tried, ", "))
}

// resolvedToken is the token the CLI sends (see resolve).
func (e *env) resolvedToken() string {
	_, token, _ := e.resolve()
	return token
}
