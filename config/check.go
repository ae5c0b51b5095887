package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/slipway-dev/slipway/spec"
)

// Problem is one thing wrong with a config's values: Path is a JSON path
// into the values ("timeoutMs", "limits.perUser"; "" for the whole), or
// names the rule or command that failed.
type Problem struct {
	Path    string
	Message string
}

func (p Problem) String() string {
	if p.Path == "" {
		return p.Message
	}
	return p.Path + ": " + p.Message
}

// Checker checks values against a config's schema and rules. It is
// built once per definition and safe for concurrent use.
type Checker struct {
	schema *jsonschema.Schema // nil: no schema
	rules  []*rule
}

// NewChecker compiles a JSON Schema (its text; "" for none) and CEL
// rules. A schema that is not valid JSON Schema (draft 2020-12 unless it
// names another) or a rule that does not compile is refused, every
// problem at once, at "schema" or "rules[i]".
func NewChecker(schemaText string, rules []string) (*Checker, error) {
	c := &Checker{}
	var ps []Problem
	if strings.TrimSpace(schemaText) != "" {
		s, err := compileSchema(schemaText)
		if err != nil {
			ps = append(ps, Problem{Path: "schema", Message: err.Error()})
		}
		c.schema = s
	}
	for i, expr := range rules {
		r, err := compileRule(expr)
		if err != nil {
			ps = append(ps, Problem{Path: fmt.Sprintf("rules[%d]", i), Message: err.Error()})
			continue
		}
		c.rules = append(c.rules, r)
	}
	if len(ps) > 0 {
		return nil, &Problems{List: ps}
	}
	return c, nil
}

// schemaURL names the schema inside the compiler; nothing is loaded
// from it.
const schemaURL = "mem:///schema.json"

func compileSchema(text string) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err != nil {
		return nil, fmt.Errorf("not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	// A schema must stand alone: no $ref may make the server read a
	// file or a URL.
	c.UseLoader(jsonschema.SchemeURLLoader{})
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, fmt.Errorf("invalid schema: %v", err)
	}
	s, err := c.Compile(schemaURL)
	if err != nil {
		return nil, fmt.Errorf("invalid JSON Schema: %s", strings.ReplaceAll(err.Error(), schemaURL, "schema"))
	}
	return s, nil
}

// Check returns every problem with values (schema first, then each
// rule), or nil.
func (c *Checker) Check(values spec.ConfigValues) []Problem {
	var ps []Problem
	if c.schema != nil {
		ps = append(ps, schemaProblems(c.schema, values)...)
	}
	for _, r := range c.rules {
		if p, bad := r.check(values); bad {
			ps = append(ps, p)
		}
	}
	return ps
}

func schemaProblems(s *jsonschema.Schema, values spec.ConfigValues) []Problem {
	// The validator wants JSON as its own decoder reads it (numbers as
	// json.Number).
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(Canonical(values)))
	if err != nil {
		return []Problem{{Message: err.Error()}}
	}
	err = s.Validate(inst)
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	var ps []Problem
	for _, u := range ve.BasicOutput().Errors {
		if u.Error == nil {
			continue
		}
		ps = append(ps, Problem{Path: pointerToPath(u.InstanceLocation), Message: u.Error.String()})
	}
	if len(ps) == 0 {
		ps = append(ps, Problem{Message: ve.Error()})
	}
	return ps
}

// pointerToPath turns a JSON pointer (/limits/0/max) into a dotted path
// (limits[0].max).
func pointerToPath(ptr string) string {
	var b strings.Builder
	for _, seg := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		if seg == "" {
			continue
		}
		seg = strings.NewReplacer("~1", "/", "~0", "~").Replace(seg)
		if isIndex(seg) {
			b.WriteString("[" + seg + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(seg)
	}
	return b.String()
}

func isIndex(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// RunCommand runs a config's validate command in dir with the values as
// JSON on its standard input. Exit status 0 means valid; another status,
// or running past timeout (the command's whole process group is killed),
// is a Problem at "validate" with the command's output.
func RunCommand(ctx context.Context, dir string, argv []string, values spec.ConfigValues, timeout time.Duration) *Problem {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(Canonical(values))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		return &Problem{Path: "validate", Message: fmt.Sprintf("%s did not finish within %s (validateTimeout): killed", argv[0], timeout)}
	case err != nil:
		msg := strings.TrimSpace(out.String())
		if len(msg) > 2000 {
			msg = msg[:2000] + "..."
		}
		if msg == "" {
			msg = "(no output)"
		}
		return &Problem{Path: "validate", Message: fmt.Sprintf("%s refused the values (%v): %s", argv[0], err, msg)}
	}
	return nil
}

// Problems is every problem with a config, as one error.
type Problems struct {
	List []Problem
}

func (ps *Problems) Error() string {
	lines := make([]string, len(ps.List))
	for i, p := range ps.List {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Definition is what a config's values are checked with.
type Definition struct {
	Schema   string // the schema's text
	Rules    []string
	Validate []string // the command; empty for none
	Dir      string   // where the command runs
	Timeout  time.Duration
}

// Validate checks values against everything def names: schema, rules,
// then (only when those pass, since it may be slow) the command. It
// returns a *Problems error, or nil.
func Validate(ctx context.Context, def Definition, values spec.ConfigValues) error {
	c, err := NewChecker(def.Schema, def.Rules)
	if err != nil {
		return err
	}
	ps := c.Check(values)
	if len(ps) == 0 && len(def.Validate) > 0 {
		if p := RunCommand(ctx, def.Dir, def.Validate, values, def.Timeout); p != nil {
			ps = append(ps, *p)
		}
	}
	if len(ps) > 0 {
		return &Problems{List: ps}
	}
	return nil
}
