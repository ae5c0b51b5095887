package spec

import (
	"path"
	"regexp"
	"strings"
)

// probe checks one health check.
func (v *validator) probe(path string, p *Probe, env map[string]string) {
	if p == nil {
		return
	}
	kinds := 0
	for _, set := range []bool{p.HTTP != "", p.TCP, len(p.Exec) > 0} {
		if set {
			kinds++
		}
	}
	if kinds != 1 {
		v.addf(path, "set exactly one of http (a path like /healthz), tcp (true) or exec (a command)")
	}
	if p.HTTP != "" && !strings.HasPrefix(p.HTTP, "/") {
		v.addf(path+".http", "must be a path starting with /, like /healthz; got %q", p.HTTP)
	}
	if len(p.Exec) > 0 {
		v.vars(path+".exec", p.Exec, env)
	}
	v.positive(path+".interval", p.Interval)
	v.positive(path+".timeout", p.Timeout)
	v.nonNegative(path+".initialDelay", p.InitialDelay)
	v.threshold(path+".failureThreshold", p.FailureThreshold)
	v.threshold(path+".successThreshold", p.SuccessThreshold)
}

// threshold checks a count that must be at least 1 when written.
func (v *validator) threshold(path string, n int) {
	if n < 0 || (n == 0 && v.set(path)) {
		v.addf(path, "must be >= 1, got %d", n)
	}
}

var sha256Digest = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// artifact checks where the artifact is read from and its pinned digest.
func (v *validator) artifact(p string, a *Artifact) {
	if a == nil {
		return
	}
	switch {
	case a.Path == "":
		v.addf(p+".path", "required: the artifact file, relative to the spec file, like ./bin/server")
	case path.IsAbs(a.Path) || strings.HasPrefix(a.Path, `\`) || hasDrive(a.Path):
		v.addf(p+".path", "must be relative to the spec file, got absolute path %q", a.Path)
	case hasDotDot(a.Path):
		v.addf(p+".path", "must stay inside the spec's directory: %q contains ..", a.Path)
	}
	if a.Digest != "" && !sha256Digest.MatchString(a.Digest) {
		v.addf(p+".digest", "must be sha256: followed by 64 lowercase hex digits; got %q", a.Digest)
	}
}

// hasDotDot reports whether a slash or backslash separated path has a
// ".." element.
func hasDotDot(p string) bool {
	for _, e := range strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == '\\' }) {
		if e == ".." {
			return true
		}
	}
	return false
}

// hasDrive reports a Windows drive letter (C:\ or C:/).
func hasDrive(p string) bool {
	return len(p) >= 2 && p[1] == ':' && ('a' <= p[0]|0x20 && p[0]|0x20 <= 'z')
}

// strategy checks that at most one strategy is set, and that one.
func (v *validator) strategy(path string, s Strategy, instances int) {
	if countSet(s.Rolling != nil, s.BlueGreen != nil, s.Canary != nil, s.ParallelRun != nil) > 1 {
		v.addf(path, "set one strategy: rolling, blueGreen or canary or parallelRun, not several")
	}
	v.canary(path+".canary", s.Canary)
	v.parallelRun(path+".parallelRun", s.ParallelRun)
	v.rolling(path+".rolling", s.Rolling, instances)
	if bg := s.BlueGreen; bg != nil {
		if bg.PreviewHeader != "" && !validHeaderName(bg.PreviewHeader) {
			v.addf(path+".blueGreen.previewHeader", "invalid header name %q: letters, digits and - only", bg.PreviewHeader)
		}
		v.nonNegative(path+".blueGreen.scaleDownDelay", bg.ScaleDownDelay)
		v.nonNegative(path+".blueGreen.progressDeadline", bg.ProgressDeadline)
	}
}

func validHeaderName(h string) bool {
	for _, r := range h {
		if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return h != ""
}

// rolling checks a rolling strategy as it will run: with defaults for
// what is not written.
func (v *validator) rolling(path string, r *Rolling, instances int) {
	if r == nil {
		return
	}
	surge, unavailable := DefaultMaxSurge, DefaultMaxUnavailable
	if r.MaxSurge != nil {
		surge = *r.MaxSurge
	}
	if r.MaxUnavailable != nil {
		unavailable = *r.MaxUnavailable
	}
	if surge < 0 {
		v.addf(path+".maxSurge", "must be >= 0, got %d", surge)
	}
	if unavailable < 0 {
		v.addf(path+".maxUnavailable", "must be >= 0, got %d", unavailable)
	}
	if surge == 0 && unavailable == 0 && instances > 0 {
		v.addf(path, "maxSurge and maxUnavailable are both 0, so no instance could ever be replaced; set maxSurge >= 1 or maxUnavailable >= 1")
	}
	v.nonNegative(path+".minReady", r.MinReady)
	v.nonNegative(path+".progressDeadline", r.ProgressDeadline)
}
