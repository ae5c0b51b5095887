package mirror

import "strings"

// IDSegment replaces the path segments RouteKey takes for identifiers.
const IDSegment = "{id}"

// RouteKey is the route a request is counted under: its method and its
// path with identifier segments (numbers, UUIDs, long hex strings)
// replaced by {id}, so that GET /orders/1 and GET /orders/2 are one
// route, "GET /orders/{id}".
func RouteKey(method, path string) string {
	if path == "" {
		path = "/"
	}
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if isID(s) {
			segs[i] = IDSegment
		}
	}
	return method + " " + strings.Join(segs, "/")
}

// isID reports whether a path segment looks like an identifier rather
// than a name: all digits, a UUID, or 16+ hex digits with a digit in
// them (a hash, an object id; the digit spares words like "deadbeef...").
func isID(s string) bool {
	switch {
	case s == "":
		return false
	case allOf(s, isDigit):
		return true
	case isUUID(s):
		return true
	}
	return len(s) >= 16 && allOf(s, isHex) && strings.ContainsAny(s, "0123456789")
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := range len(s) {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return false
			}
		default:
			if !isHex(s[i]) {
				return false
			}
		}
	}
	return true
}

func allOf(s string, f func(byte) bool) bool {
	for i := range len(s) {
		if !f(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }
