package router

import (
	"net/http"
	"strings"
)

// The router matches and forwards a normalized path, as nginx does: a
// route's prefix must not be escaped by "/api/../admin". The path is
// the decoded one (net/url's URL.Path), so "%2E%2E" is "..", as nginx
// decodes it before normalizing; then, as RFC 3986 5.2.4 removes dot
// segments ("." dropped, ".." drops the segment before it, never above
// the root; a path ending in a dot segment keeps its trailing slash) and
// repeated slashes are merged into one (nginx's merge_slashes, on by
// default). The request then goes to the instance with the normalized
// path, re-encoded: the instance gets the path that was matched. A path
// with nothing to normalize is left as it came, its encoding (%2F
// included) untouched; one that is normalized loses an encoded slash,
// which becomes a separator as in the path that was matched.

// normalizeRequestPath normalizes req's path in place when it needs it.
// The usual path needs none and costs one scan, no allocation.
func normalizeRequestPath(req *http.Request) {
	p := req.URL.Path
	if !needsNormalizing(p) {
		return
	}
	req.URL.Path = removeDotSegments(p)
	req.URL.RawPath = "" // re-encoded from Path when written
}

// needsNormalizing reports whether p has an empty, "." or ".." segment
// past its leading slash.
func needsNormalizing(p string) bool {
	if p == "" || p[0] != '/' {
		return false // "*" (OPTIONS), or no path: nothing to match
	}
	for i := 0; i < len(p); i++ {
		if p[i] != '/' {
			continue
		}
		seg := p[i+1:]
		if j := strings.IndexByte(seg, '/'); j >= 0 {
			seg = seg[:j]
		} else if seg == "" {
			return false // the trailing slash
		}
		if seg == "" || seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// removeDotSegments is p with dot segments removed and slashes merged.
func removeDotSegments(p string) string {
	segs := strings.Split(p[1:], "/")
	out := make([]string, 0, len(segs))
	trailing := false
	for _, s := range segs {
		trailing = false
		switch s {
		case "", ".":
			trailing = true
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
			trailing = true
		default:
			out = append(out, s)
		}
	}
	clean := "/" + strings.Join(out, "/")
	if trailing && len(out) > 0 {
		clean += "/"
	}
	return clean
}
