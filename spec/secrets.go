package spec

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// SecretSource says where the CLI reads one secret's value at apply
// time, on the deployer's machine: exactly one of its fields is set. The
// server never reads a source (it never runs a command a spec names); it
// gets the value over the authenticated API and stores it encrypted.
type SecretSource struct {
	// FromEnv names an environment variable of the CLI's process.
	FromEnv string `yaml:"fromEnv,omitempty" json:"fromEnv,omitempty"`
	// FromFile is a file, relative to the spec's folder; one trailing
	// newline is dropped.
	FromFile string `yaml:"fromFile,omitempty" json:"fromFile,omitempty"`
	// FromCommand is a program and its arguments (a password manager's
	// CLI) whose standard output, less one trailing newline, is the
	// value.
	FromCommand []string `yaml:"fromCommand,omitempty" json:"fromCommand,omitempty"`
}

// secretPrefix starts a secret's reference in an env value:
// ${secret.NAME}.
const secretPrefix = "${secret."

var secretName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]{0,62}$`)

// secretNameRule says what a valid secret name is.
const secretNameRule = "a secret's name is a letter or _, then letters, digits, _ or -, at most 63 characters"

// CheckSecretName returns an error saying what is wrong with a secret's
// name, or nil. The CLI's `secret set` and the API check it too.
func CheckSecretName(name string) error {
	if !secretName.MatchString(name) {
		return fmt.Errorf("invalid secret name %q: %s", name, secretNameRule)
	}
	return nil
}

// SecretRefs returns the names of the secrets s's env values reference
// (${secret.NAME}), sorted, each once.
func (s *Service) SecretRefs() []string {
	seen := map[string]bool{}
	for _, v := range s.Env {
		for _, ref := range secretRefs(v) {
			seen[ref.name] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// HasSecretRef reports whether env value v references a secret
// (${secret.NAME}): a platform then carries it as a secret, not as text.
func HasSecretRef(v string) bool { return len(secretRefs(v)) > 0 }

// secretRef is one ${secret.NAME} in a string: its name, and where it
// starts and ends (end is past the closing brace).
type secretRef struct {
	name       string
	start, end int
}

// secretRefs finds the ${secret.NAME} references in v. A reference left
// unterminated is not one (its text is kept as written, as Expand keeps
// an unterminated ${); a bad name is reported by validation.
func secretRefs(v string) []secretRef {
	var refs []secretRef
	for off := 0; ; {
		i := strings.Index(v[off:], secretPrefix)
		if i < 0 {
			return refs
		}
		start := off + i
		j := strings.IndexByte(v[start+len(secretPrefix):], '}')
		if j < 0 {
			return refs
		}
		end := start + len(secretPrefix) + j + 1
		refs = append(refs, secretRef{name: v[start+len(secretPrefix) : end-1], start: start, end: end})
		off = end
	}
}

// ExpandSecrets returns v with every ${secret.NAME} replaced by
// reveal(NAME). Only secret references expand: every other byte of an
// env value, another ${...} included, is kept as written, as env values
// were before secrets existed. reveal's error is returned as is.
func ExpandSecrets(v string, reveal func(name string) (string, error)) (string, error) {
	refs := secretRefs(v)
	if len(refs) == 0 {
		return v, nil
	}
	var b strings.Builder
	last := 0
	for _, r := range refs {
		val, err := reveal(r.name)
		if err != nil {
			return "", err
		}
		b.WriteString(v[last:r.start])
		b.WriteString(val)
		last = r.end
	}
	b.WriteString(v[last:])
	return b.String(), nil
}

// secrets checks the secrets: section and the references in env values.
// A reference to a secret the section does not declare is valid: it may
// have been stored with `slipway secret set`; the server, which knows,
// refuses the apply when it has no such secret.
func (v *validator) secrets() {
	for _, name := range sortedNames(v.app.Secrets) {
		path := "secrets." + name
		if err := CheckSecretName(name); err != nil {
			v.addf(path, "%s", err)
			continue
		}
		src := v.app.Secrets[name]
		n := 0
		if src != nil {
			n = countSet(src.FromEnv != "", src.FromFile != "", len(src.FromCommand) > 0)
		}
		if n != 1 {
			v.addf(path, "give exactly one of fromEnv (a variable), fromFile (a path) or fromCommand (a program and its arguments), like {fromEnv: DB_PASSWORD}")
		}
		if src != nil && len(src.FromCommand) > 0 && src.FromCommand[0] == "" {
			v.addf(path+".fromCommand[0]", "the program is empty")
		}
	}
	for _, svc := range sortedNames(v.app.Services) {
		s := v.app.Services[svc]
		if s == nil {
			continue
		}
		for _, k := range sortedNames(s.Env) {
			for _, ref := range secretRefs(s.Env[k]) {
				if err := CheckSecretName(ref.name); err != nil {
					v.addf("services."+svc+".env."+k, "${secret.%s}: %s", ref.name, err)
				}
			}
		}
	}
}

// SecretLine returns the line where secret name is declared (0 when the
// app did not come from Parse or does not declare it), for the CLI's
// messages about a source it cannot read.
func (a *App) SecretLine(name string) int { return a.Line("secrets." + name) }
