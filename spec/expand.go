package spec

import (
	"slices"
	"strings"
)

// Variables Slipway sets in every instance's environment. A spec's env
// cannot set them.
const (
	EnvPort        = "PORT"
	EnvService     = "SLIPWAY_SERVICE"
	EnvRevision    = "SLIPWAY_REVISION"
	EnvInstance    = "SLIPWAY_INSTANCE"
	EnvEnvironment = "SLIPWAY_ENVIRONMENT"
)

// BuiltinVars returns the variables Slipway sets for each instance.
func BuiltinVars() []string {
	return []string{EnvPort, EnvService, EnvRevision, EnvInstance, EnvEnvironment}
}

func isBuiltinVar(name string) bool { return slices.Contains(BuiltinVars(), name) }

// Expand returns args with ${VAR} replaced by env[VAR] (empty when VAR is
// not in env) and $$ replaced by a single $. Only the braced form is
// expanded: a $ followed by anything else, and an unterminated ${, are
// kept as written, so shell-like arguments such as '$1' pass through.
func Expand(args []string, env map[string]string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i], _ = expand(a, func(name string) string { return env[name] })
	}
	return out
}

// References returns the names in ${...} in s, in order, and false when
// s has an unterminated ${.
func References(s string) (names []string, ok bool) {
	_, ok = expand(s, func(name string) string {
		names = append(names, name)
		return ""
	})
	return names, ok
}

// expand is the one scanner behind Expand and References. It reports
// false when it met an unterminated ${.
func expand(s string, lookup func(string) string) (string, bool) {
	if !strings.Contains(s, "$") {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
		case '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				b.WriteString(s[i:])
				return b.String(), false
			}
			b.WriteString(lookup(s[i+2 : i+2+end]))
			i += end + 2
		default:
			b.WriteByte('$')
		}
	}
	return b.String(), true
}
