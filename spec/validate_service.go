package spec

import (
	"regexp"
	"strconv"
	"strings"
)

// service checks one service; path prefixes are services.<name>.
func (v *validator) service(name string, s *Service) {
	p := "services." + name
	if !isDNSLabel(name) {
		v.addf(p, "invalid service name %q: %s", name, dnsLabelRule)
	}
	if s == nil {
		v.addf(p, "empty service: run (a command) or image (an OCI image) is required")
		return
	}
	v.program(p, s)
	v.env(p+".env", s.Env)
	v.instances(p+".instances", s.Instances)
	v.scale(p, s)
	v.resources(p+".resources", s.Resources)
	v.probe(p+".health.readiness", s.Health.Readiness, s.Env)
	v.probe(p+".health.liveness", s.Health.Liveness, s.Env)
	v.route(p+".route", s.Route)
	v.artifact(p+".artifact", s.Artifact)
	v.strategy(p+".strategy", s.Strategy, s.Replicas())
	v.parallelRunRoute(p, name, s)
	v.nonNegative(p+".stopGrace", s.StopGrace)
	v.user(p+".user", s.User)
	v.jobs(p, s)
	v.mounts(p, s)
}

// program checks what a service runs: a host command (run, with an
// optional artifact) or an OCI image (image, with an optional command),
// never both, so that an instance's program is never ambiguous.
func (v *validator) program(p string, s *Service) {
	if s.Image == "" && !v.set(p+".image") {
		if len(s.Command) > 0 || v.set(p+".command") {
			v.addf(p+".command", "command is the program inside an image: set image: too, or write the command as run:")
		}
		if len(s.Run) == 0 {
			v.addf(p+".run", `required: the command and its arguments, like ["./server", "--port", "${PORT}"], or image: an OCI image to run`)
			return
		}
		v.run(p+".run", s.Run, s.Env)
		return
	}
	v.image(p+".image", s.Image)
	if len(s.Run) > 0 || v.set(p+".run") {
		v.addf(p+".run", "a service runs an image (image:, with an optional command:) or a command (run:, with an optional artifact:), not both; "+
			"remove run:, or write the program inside the image as command:")
	}
	if s.Artifact != nil || v.set(p+".artifact") {
		v.addf(p+".artifact", "a service that runs an image has no artifact: the image is its artifact; remove artifact: or image:")
	}
	if len(s.Command) > 0 || v.set(p+".command") {
		v.command(p+".command", s.Command, s.Env)
	}
}

// image checks an image reference's syntax.
func (v *validator) image(path, ref string) {
	if ref == "" {
		v.addf(path, "must not be empty: an image reference like registry.example/shop/order:v1")
		return
	}
	if _, err := ParseImage(ref); err != nil {
		v.addf(path, "%v", err)
	}
}

// command checks the program run inside an image: when written, not
// empty, and with no ${VAR} that would expand to nothing.
func (v *validator) command(path string, args []string, env map[string]string) {
	if len(args) == 0 {
		v.addf(path, `must not be empty: the program and its arguments, like ["/order", "--port", "${PORT}"]; leave command out to run the image's entrypoint`)
		return
	}
	v.run(path, args, env)
}

// run checks a command: present, with a command name, and with no
// ${VAR} that would expand to nothing.
func (v *validator) run(path string, args []string, env map[string]string) {
	if len(args) == 0 {
		v.addf(path, `required: the command and its arguments, like ["./server", "--port", "${PORT}"]`)
		return
	}
	if strings.TrimSpace(args[0]) == "" {
		v.addf(path+"[0]", "the command must not be empty")
	}
	v.vars(path, args, env)
}

// vars reports ${VAR} references that are neither in env nor set by
// Slipway: they would silently expand to the empty string.
func (v *validator) vars(path string, args []string, env map[string]string) {
	known := append(sortedNames(env), BuiltinVars()...)
	for i, arg := range args {
		ap := path + "[" + strconv.Itoa(i) + "]"
		names, ok := References(arg)
		if !ok {
			v.addf(ap, "unterminated ${ in %q: write ${NAME}, or $$ for a literal $", arg)
		}
		for _, n := range names {
			if _, inEnv := env[n]; inEnv || isBuiltinVar(n) {
				continue
			}
			v.addf(ap, "${%s} is not set, so it would expand to empty%s; set it in env or use one of %s",
				n, didYouMean(n, known), strings.Join(BuiltinVars(), ", "))
		}
	}
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// env checks variable names, and keeps the names Slipway sets for itself.
func (v *validator) env(path string, env map[string]string) {
	for _, name := range sortedNames(env) {
		switch {
		case !envName.MatchString(name):
			v.addf(path+"."+name, "invalid variable name %q: use letters, digits and _, not starting with a digit", name)
		case name == EnvPort || strings.HasPrefix(name, "SLIPWAY_"):
			v.addf(path+"."+name, "%s is reserved: Slipway sets PORT and SLIPWAY_* for each instance", name)
		}
	}
}

func (v *validator) resources(path string, r Resources) {
	if r.CPU < 0 {
		v.addf(path+".cpu", "must be >= 0 cores, got %g", r.CPU)
	}
	if r.Memory < 0 {
		v.addf(path+".memory", "must be >= 0, got %s", r.Memory)
	}
	if r.PIDs < 0 {
		v.addf(path+".pids", "must be >= 0, got %d", r.PIDs)
	}
}

// route checks the shape of one route; routes() checks for clashes.
func (v *validator) route(path string, r Route) {
	if r.Path != "" && !strings.HasPrefix(r.Path, "/") {
		v.addf(path+".path", "must start with /, like /%s", r.Path)
	}
	v.routeHosts(path, r)
	v.positive(path+".timeout", r.Timeout)
	v.nonNegative(path+".drainTimeout", r.DrainTimeout)
	if r.MaxBody < 0 {
		v.addf(path+".maxBody", "must be >= 0, like 10Mi; got %d", r.MaxBody)
	}
	switch r.Protocol {
	case "", ProtocolHTTP1, ProtocolH2C:
	default:
		v.addf(path+".protocol", "must be %s (HTTP/1.1, the default) or %s (HTTP/2 without TLS), got %q", ProtocolHTTP1, ProtocolH2C, r.Protocol)
	}
	if r.MaxConcurrency < 0 || (r.MaxConcurrency == 0 && v.set(path+".maxConcurrency")) {
		v.addf(path+".maxConcurrency", "must be > 0 requests at once per instance, like 100 (absent: 256); got %d", r.MaxConcurrency)
	}
}

// nonNegative checks a duration that may be zero.
func (v *validator) nonNegative(path string, d Duration) {
	if d.Duration < 0 {
		v.addf(path, "must be >= 0, got %s", d)
	}
}

// positive checks a duration that must be above zero when written; zero
// when absent means the default.
func (v *validator) positive(path string, d Duration) {
	if d.Duration < 0 || (d.Duration == 0 && v.set(path)) {
		v.addf(path, "must be > 0, like 1s; got %s", d)
	}
}

// instances checks a service's instance count: not negative, and within
// the server's per-service limit.
func (v *validator) instances(path string, n *int) {
	limit := v.opts.instanceLimit()
	switch {
	case n == nil:
	case *n < 0:
		v.addf(path, "must be >= 0, got %d", *n)
	case limit > 0 && *n > limit:
		v.addf(path, "%d is more than the %d instances a service may have; "+
			"the server's operator can raise the limit with slipway server --max-instances-per-service", *n, limit)
	}
}
