package spec

import (
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// position is where a field starts in the spec file.
type position struct{ line, column int }

// index maps a dotted field path (services.order.artifact.path) to the
// position of its key, or of its item in a list.
type index map[string]position

// set records the position of node under path.
func (ix index) set(path string, n *yaml.Node) {
	ix[path] = position{n.Line, n.Column}
}

// has reports whether path was written in the spec file.
func (ix index) has(path string) bool {
	_, ok := ix[path]
	return ok
}

// nearest returns the position of path, or of its closest ancestor that
// is in the index (a missing field is reported where its parent is).
func (ix index) nearest(path string) position {
	for {
		if p, ok := ix[path]; ok {
			return p
		}
		if path == "" {
			return position{}
		}
		path = parentPath(path)
	}
}

// parentPath strips the last segment: a.b[2] -> a.b, a.b -> a, a -> "".
func parentPath(path string) string {
	if strings.HasSuffix(path, "]") {
		if i := strings.LastIndexByte(path, '['); i >= 0 {
			return path[:i]
		}
	}
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[:i]
	}
	return ""
}

// joinPath appends a field or key to a dotted path.
func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// Line returns the line of a dotted field path such as
// services.order.artifact.path or services.order.run[2] in the file the
// app was parsed from, or 0 when the path was not written there.
func (a *App) Line(path string) int {
	return a.index[path].line
}
