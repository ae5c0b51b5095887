package mirror

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// segment is one step of a JSON path: a key, an index, or a wildcard.
type segment struct {
	kind  segmentKind
	key   string // for keyStep
	index int    // for indexStep
}

type segmentKind uint8

const (
	keyStep   segmentKind = iota // .name or ['name']
	indexStep                    // [2]
	anyStep                      // [*] or .*: any one key or index
)

// CheckPath returns why p is not a path Diff understands, or nil. The
// spec calls it to validate ignoreJsonPaths.
func CheckPath(p string) error {
	_, err := parsePath(p)
	return err
}

// errNoRoot is a path that does not start at the document's root.
var errNoRoot = errors.New("must start with $, like $.requestId or $.items[*].id")

// parsePath reads a path of the subset the package doc describes.
func parsePath(p string) ([]segment, error) {
	if !strings.HasPrefix(p, "$") {
		return nil, errNoRoot
	}
	var segs []segment
	for i := 1; i < len(p); {
		var s segment
		var n int
		var err error
		switch p[i] {
		case '.':
			s, n, err = dotSegment(p[i+1:])
			n++
		case '[':
			s, n, err = bracketSegment(p[i+1:])
			n++
		default:
			err = fmt.Errorf("unexpected %q: write .name, ['name'], [2] or [*]", p[i])
		}
		if err != nil {
			return nil, fmt.Errorf("at offset %d: %w", i, err)
		}
		segs = append(segs, s)
		i += n
	}
	return segs, nil
}

// dotSegment reads the name after a dot, up to the next . or [.
func dotSegment(rest string) (segment, int, error) {
	n := strings.IndexAny(rest, ".[")
	if n < 0 {
		n = len(rest)
	}
	switch name := rest[:n]; name {
	case "":
		return segment{}, 0, errors.New("a key name must follow the dot")
	case "*":
		return segment{kind: anyStep}, n, nil
	default:
		return segment{kind: keyStep, key: name}, n, nil
	}
}

// bracketSegment reads what follows a [: *], 12] or 'name'].
func bracketSegment(rest string) (segment, int, error) {
	if strings.HasPrefix(rest, "'") {
		return quotedSegment(rest)
	}
	end := strings.IndexByte(rest, ']')
	if end < 0 {
		return segment{}, 0, errors.New("[ is not closed")
	}
	in := rest[:end]
	if in == "*" {
		return segment{kind: anyStep}, end + 1, nil
	}
	i, err := strconv.Atoi(in)
	if err != nil || i < 0 || strings.HasPrefix(in, "+") {
		return segment{}, 0, fmt.Errorf("[%s] must be an index like [0], [*] or a quoted key like ['a.b']", in)
	}
	return segment{kind: indexStep, index: i}, end + 1, nil
}

// quotedSegment reads 'name'] where \' and \\ are escapes.
func quotedSegment(rest string) (segment, int, error) {
	var b strings.Builder
	for i := 1; i < len(rest); i++ {
		switch c := rest[i]; {
		case c == '\\' && i+1 < len(rest):
			i++
			b.WriteByte(rest[i])
		case c == '\'':
			if i+1 >= len(rest) || rest[i+1] != ']' {
				return segment{}, 0, errors.New("a quoted key must be followed by ]")
			}
			return segment{kind: keyStep, key: b.String()}, i + 2, nil
		default:
			b.WriteByte(c)
		}
	}
	return segment{}, 0, errors.New("quoted key is not closed")
}

// formatPath writes segments as a path that parsePath reads back.
func formatPath(segs []segment) string {
	b := []byte{'$'}
	for _, s := range segs {
		b = appendSegment(b, s)
	}
	return string(b)
}

func appendSegment(b []byte, s segment) []byte {
	switch s.kind {
	case indexStep:
		b = append(b, '[')
		b = strconv.AppendInt(b, int64(s.index), 10)
		return append(b, ']')
	case anyStep:
		return append(b, "[*]"...)
	}
	if plainKey(s.key) {
		b = append(b, '.')
		return append(b, s.key...)
	}
	b = append(b, "['"...)
	for i := range len(s.key) {
		if c := s.key[i]; c == '\'' || c == '\\' {
			b = append(b, '\\')
		}
		b = append(b, s.key[i])
	}
	return append(b, "']"...)
}

// plainKey reports whether a key can be written after a dot: letters,
// digits, _ and -, and not the wildcard.
func plainKey(k string) bool {
	for _, r := range k {
		if !(r == '_' || r == '-' || r == '$' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return k != ""
}

// matches reports whether path is exactly pattern, a wildcard standing
// for any one key or index.
func matches(pattern, path []segment) bool {
	if len(pattern) != len(path) {
		return false
	}
	for i, p := range pattern {
		if p.kind != anyStep && p != path[i] {
			return false
		}
	}
	return true
}

// Pattern generalizes a field to the form a Tally counts it under:
// array indices become [*], so that $.items[2].price and
// $.items[7].price are one field. Fields that are not paths ("status",
// "header:Content-Type", "body") are returned as they are.
func Pattern(field string) string {
	segs, err := parsePath(field)
	if err != nil {
		return field
	}
	for i, s := range segs {
		if s.kind == indexStep {
			segs[i] = segment{kind: anyStep}
		}
	}
	return formatPath(segs)
}
