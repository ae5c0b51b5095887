package spec

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// userName is what a user or group name may be: POSIX's portable names
// as useradd takes them.
var userName = regexp.MustCompile(`^[a-z_][a-z0-9_-]{0,31}$`)

// maxID is the largest user or group ID accepted (IDs are 32-bit; -1 and
// the top half are reserved or unusable).
const maxID = 1<<31 - 1

// user checks a service's user: "NAME" or "UID", optionally ":GID" or
// ":GROUP". Whether the name exists is known only on the server's machine,
// where starting an instance fails if it does not.
func (v *validator) user(path, u string) {
	if !v.set(path) && u == "" {
		return
	}
	name, group, hasGroup := strings.Cut(u, ":")
	if msg := idProblem("user", name); msg != "" {
		v.addf(path, "%s; want NAME, UID, NAME:GROUP or UID:GID (like app, 1000 or 1000:1000), or root to run as root", msg)
		return
	}
	if hasGroup {
		if msg := idProblem("group", group); msg != "" {
			v.addf(path, "%s; want NAME, UID, NAME:GROUP or UID:GID (like app, 1000 or 1000:1000)", msg)
		}
	}
}

// idProblem says what is wrong with a user or group given by name or
// number, or "" when nothing is.
func idProblem(what, s string) string {
	if s == "" {
		return fmt.Sprintf("empty %s", what)
	}
	if s[0] >= '0' && s[0] <= '9' {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n > maxID {
			return fmt.Sprintf("%s %q is not a number from 0 to %d", what, s, maxID)
		}
		return ""
	}
	if !userName.MatchString(s) {
		return fmt.Sprintf("invalid %s name %q: lowercase letters, digits, _ and -, not starting with a digit or -, at most 32", what, s)
	}
	return ""
}

// RunsAsRoot reports whether a user as written in a spec is root.
func RunsAsRoot(u string) bool {
	name, _, _ := strings.Cut(u, ":")
	if name == "root" {
		return true
	}
	n, err := strconv.ParseInt(name, 10, 64)
	return err == nil && n == 0
}

// UserWarnings warns, for plan, about the services whose instances would
// run as root (user: root or 0), sorted by name.
func UserWarnings(services map[string]*Service) []string {
	var out []string
	for _, name := range sortedNames(services) {
		if s := services[name]; s != nil && RunsAsRoot(s.User) {
			out = append(out, fmt.Sprintf("services.%s.user: %s: its instances run as root, with every capability, outside the isolation the other services get", name, s.User))
		}
	}
	return out
}
