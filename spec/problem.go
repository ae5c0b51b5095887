package spec

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong with a spec, located by file, line and the
// dotted path of the field (services.invoice.run[0]).
type Problem struct {
	// File is the spec's file name as given to Parse.
	File string
	// Line and Column are 1-based; 0 when unknown.
	Line, Column int
	// Path is the dotted field path; empty for the document as a whole.
	Path string
	// Message says what is wrong and what would be valid.
	Message string
}

// String formats the problem as "file:line: path: message", leaving out
// the parts that are unknown.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is every problem found in a spec. Parse, Validate and
// CheckArtifacts return it as a *Problems error so that a user sees all
// of them at once.
type Problems []Problem

// Error prints one problem per line, in line order.
func (ps *Problems) Error() string {
	lines := make([]string, len(*ps))
	for i, p := range *ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// sort orders problems by position, keeping the order they were found in
// for problems on the same line.
func (ps Problems) sort() {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Line != ps[j].Line {
			return ps[i].Line < ps[j].Line
		}
		return ps[i].Column < ps[j].Column
	})
}

// err returns nil when there are no problems, and a sorted *Problems
// otherwise. A nil error must stay an untyped nil, hence this helper.
func (ps Problems) err() error {
	if len(ps) == 0 {
		return nil
	}
	ps.sort()
	return &ps
}

// maxProblems is how many problems one parse reports. Past that, more
// are noise (or an attack), and building them costs time.
const maxProblems = 100

// add appends p unless the list is full; the first problem past the
// limit is replaced by a note saying the list stops there.
func (ps *Problems) add(p Problem) {
	switch {
	case len(*ps) < maxProblems:
		*ps = append(*ps, p)
	case len(*ps) == maxProblems:
		*ps = append(*ps, Problem{File: p.File, Line: p.Line, Column: p.Column,
			Message: fmt.Sprintf("too many problems; stopped after %d", maxProblems)})
	}
}

// full reports whether add would drop further problems.
func (ps Problems) full() bool { return len(ps) > maxProblems }
