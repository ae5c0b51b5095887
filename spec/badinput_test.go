package spec

import (
	"bytes"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/analysis"
)

// badSpec is one bad spec document: the problem it must report, at
// which line and field path, with which words.
type badSpec struct {
	name, src string
	line      int
	path      string
	want      string
}

// imageBase is a service that runs an image; a case writes the
// reference (line 4) and what follows.
const imageBase = "app: shop\nservices:\n  web:\n    image: "

// flagBase starts a flags section after web; a case's lines start at 6.
const flagBase = web + "flags:\n"

// badSpecs is the catalogue of bad spec documents. TestParseProblems and
// the section tests hold many more, one clause each; these are what a
// user (or an attacker) sends: hostile YAML, wrong types in every
// section, expressions that do not compile.
var badSpecs = []badSpec{
	// Hostile or broken YAML.
	{"unclosed quote at the end", "app: shop\nservices:\n  web: {run: [\"./web]}\n", 3, "", "invalid YAML"},
	{"text after the mapping", "{}0", 1, "", "invalid YAML"},
	{"byte order mark only", "\xfe\xff", 1, "", "file is empty"},
	{"tab indentation", "app: shop\nservices:\n\tweb: {run: [x]}\n", 3, "", "invalid YAML"},
	{"undefined alias", web + "    env: *nope\n", 5, "", "invalid YAML"},
	{"recursive alias", "a: &a [*a]\n", 1, "a", `unknown field "a"`},
	{"billion laughs", "app: shop\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n" +
		"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\nservices: {web: {run: [x]}}\n", 2, "a", `unknown field "a"`},
	{"deep nesting", "app: shop\nservices: " + strings.Repeat("[", 10000) + "\n", 2, "", "invalid YAML"},
	{"a scalar document", "shop\n", 1, "", "top level must be a mapping"},
	{"too large", "app: shop\n#" + strings.Repeat("x", MaxSize) + "\n", 1, "", "a spec may be at most"},
	// Wrong types and values, section by section.
	{"notification url not http", web + "notifications:\n  chat: {slack: {url: 'ftp://hooks.example/x'}}\n", 6, "notifications.chat.slack.url", "must be an http or https URL"},
	{"notification without a kind", web + "notifications:\n  chat: {events: ['*']}\n", 6, "notifications.chat", "give exactly one of slack"},
	{"notification slack and webhook", web + "notifications:\n  chat: {slack: {url: 'https://a.example'}, webhook: {url: 'https://b.example', secret: k}}\n", 6, "notifications.chat", "give exactly one of slack"},
	{"webhook without a signing secret", web + "notifications:\n  audit: {webhook: {url: 'https://b.example'}}\n", 6, "notifications.audit.webhook.secret", "required: the name of the secret"},
	{"notification url a bad secret name", web + "notifications:\n  chat: {slack: {url: '${secret.9x}'}}\n", 6, "notifications.chat.slack.url", "invalid secret name"},
	{"notification event malformed", web + "notifications:\n  chat: {slack: {url: 'https://a.example'}, events: ['Promotion Approved']}\n", 6, "notifications.chat.events[0]", "invalid event type"},
	{"notification unknown service", web + "notifications:\n  chat: {slack: {url: 'https://a.example'}, services: [wbe]}\n", 6, "notifications.chat.services[0]", `unknown service "wbe" (did you mean "web"?)`},
	{"notification unknown environment", web + "notifications:\n  chat: {slack: {url: 'https://a.example'}, environments: [prod]}\n", 6, "notifications.chat.environments[0]", `unknown environment "prod" (environments: default)`},
	{"notification bad approver", web + "notifications:\n  chat: {slack: {url: 'https://a.example'}, approver: 'a b'}\n", 6, "notifications.chat.approver", "invalid approver"},
	{"notification link expiry too long", web + "notifications:\n  chat: {slack: {url: 'https://a.example'}, linkExpiry: 30d}\n", 6, "notifications.chat.linkExpiry", "invalid duration"},
	{"notification link expiry over a week", web + "notifications:\n  chat: {slack: {url: 'https://a.example'}, linkExpiry: 200h}\n", 6, "notifications.chat.linkExpiry", "at most 168h"},
	{"notification unknown field", web + "notifications:\n  chat: {slack: {url: 'https://a.example', chanel: x}}\n", 6, "notifications.chat.slack.chanel", "unknown field"},
	{"mount of an undeclared volume", web + "    mounts: [{volume: uploads, at: ./uploads}]\n", 5, "services.web.mounts[0].volume", `unknown volume "uploads"; declare it under volumes: (declared: none)`},
	{"volume over a system directory", web + "volumes:\n  conf: {path: /etc/shop}\n", 6, "volumes.conf.path", "/etc/shop is over a system directory"},
	{"volume at a system root", web + "volumes:\n  scratch: {path: /var}\n", 6, "volumes.scratch.path", "/var is a system directory"},
	{"volume path relative", web + "volumes:\n  up: {path: uploads}\n", 6, "volumes.up.path", "must be an absolute path"},
	{"two volumes with one path", web + "volumes:\n  a: {path: /srv/shop/up}\n  b: {path: /srv/shop/up/}\n", 7, "volumes.b.path", "same path as volume a"},
	{"volume inside another", web + "volumes:\n  a: {path: /srv/shop}\n  b: {path: /srv/shop/up}\n", 7, "volumes.b.path", "one inside the other"},
	{"process mount at an absolute path", web + "    mounts: [{volume: up, at: /data}]\nvolumes:\n  up: {path: /srv/shop/up}\n", 5, "services.web.mounts[0].at", "write a relative path like ./uploads"},
	{"mount outside the working directory", web + "    mounts: [{volume: up, at: ../up}]\nvolumes:\n  up: {path: /srv/shop/up}\n", 5, "services.web.mounts[0].at", "must be a folder inside the working directory"},
	{"job with an unknown before", web + "    jobs:\n      migrate: {run: [./web, migrate], before: deploy}\n", 6, "services.web.jobs.migrate.before", `unknown moment "deploy": the only one is rollout`},
	{"job with an unknown after", web + "    jobs:\n      warm: {run: [./web, warm], after: started}\n", 6, "services.web.jobs.warm.after", `unknown moment "started": the only one is ready`},
	{"job before and after", web + "    jobs:\n      warm: {run: [./web, warm], before: rollout, after: ready}\n", 6, "services.web.jobs.warm.after", "not both"},
	{"job without a moment", web + "    jobs:\n      warm: {run: [./web, warm]}\n", 6, "services.web.jobs.warm", "say when the job runs"},
	{"job without a command", web + "    jobs:\n      warm: {after: ready}\n", 6, "services.web.jobs.warm.run", "required"},
	{"job timeout not a duration", web + "    jobs:\n      warm: {run: [x], after: ready, timeout: long}\n", 6, "services.web.jobs.warm.timeout", `invalid duration "long"`},
	{"env not a map", web + "    env: [A=1]\n", 5, "services.web.env", "must be a mapping"},
	{"env value a map", web + "    env: {A: {b: 1}}\n", 5, "services.web.env.A", "must be a string; got a mapping"},
	{"instances a float", web + "    instances: 1.5\n", 5, "services.web.instances", "must be a whole number, like 1 or 2; got the number 1.5"},
	{"memory without unit", web + "    resources: {memory: lots}\n", 5, "services.web.resources.memory", "invalid quantity \"lots\""},
	{"negative cpu", web + "    resources: {cpu: -1}\n", 5, "services.web.resources.cpu", "must be >= 0 cores, got -1"},
	{"interval not a duration", web + "    health: {readiness: {http: /, interval: often}}\n", 5, "services.web.health.readiness.interval", "invalid duration \"often\""},
	{"route path without slash", web + "    route: {path: invoice}\n", 5, "services.web.route.path", "must start with /"},
	{"route host and hosts", web + "    route: {host: a.example, hosts: [b.example]}\n", 5, "services.web.route.hosts", "set host (one host) or hosts (a list), not both"},
	{"route wildcard inside", web + "    route: {hosts: [a.*.example]}\n", 5, "services.web.route.hosts[0]", "a wildcard stands for the leftmost label only"},
	{"route wildcard on a TLD", web + "    route: {hosts: [\"*.example\"]}\n", 5, "services.web.route.hosts[0]", "a wildcard needs a domain of two labels or more"},
	{"route certificate without key", web + "    route: {hosts: [a.example], certificate: {cert: a.pem}}\n", 5, "services.web.route.certificate.key", "required: the private key's PEM file"},
	{"route certificate without host", web + "    route: {path: /a, certificate: {cert: a.pem, key: a.key}}\n", 5, "services.web.route.hosts", "TLS picks a certificate by host name"},
	{"wildcard overlaps another service's host", web + "    route: {hosts: [\"*.shop.example\"]}\n  api:\n    run: [./api]\n    route: {hosts: [x.example, api.shop.example]}\n",
		5, "services.web.route.hosts[0]", "same route as service api (host api.shop.example, which overlaps *.shop.example, path /)"},
	{"tls address without port", web + "tls: {address: 0.0.0.0}\n", 5, "tls.address", "must be host:port"},
	{"acme directory over http", web + "tls: {acme: {directory: 'http://ca.example/dir'}}\n", 5, "tls.acme.directory", "must be the https URL of an ACME directory"},
	{"hsts without max age", web + "tls: {hsts: {includeSubdomains: true}}\n", 5, "tls.hsts.maxAge", "must be > 0"},
	{"acme dns without exec", web + "tls:\n  acme:\n    directory: https://ca.example/dir\n    dns: {resolvers: ['1.1.1.1:53']}\n", 8, "tls.acme.dns.exec", "required: the program that sets and removes the TXT record"},
	{"acme dns empty program", web + "tls:\n  acme:\n    directory: https://ca.example/dir\n    dns: {exec: ['']}\n", 8, "tls.acme.dns.exec[0]", "the program is empty"},
	{"acme dns rfc2136 not offered", web + "tls:\n  acme:\n    directory: https://ca.example/dir\n    dns: {rfc2136: {server: 'ns:53'}}\n", 8, "tls.acme.dns.rfc2136", "unknown field"},
	{"acme dns resolver without port", web + "tls:\n  acme:\n    directory: https://ca.example/dir\n    dns: {exec: [./hook], resolvers: [1.1.1.1]}\n", 8, "tls.acme.dns.resolvers[0]", "must be a DNS server as host:port, like 1.1.1.1:53"},
	{"acme dns bad env name", web + "tls:\n  acme:\n    directory: https://ca.example/dir\n    dns: {exec: [./hook], env: {1X: a}}\n", 8, "tls.acme.dns.env.1X", "invalid variable name"},
	{"acme dns bad secret name", web + "tls:\n  acme:\n    directory: https://ca.example/dir\n    dns: {exec: [./hook], env: {T: '${secret.9x}'}}\n", 8, "tls.acme.dns.env.T", "a secret's name is a letter or _"},
	{"acme dns timeout without resolvers", web + "tls:\n  acme:\n    directory: https://ca.example/dir\n    dns: {exec: [./hook], propagationTimeout: 1m}\n", 8, "tls.acme.dns.propagationTimeout", "set resolvers too"},
	{"acme dns negative timeout", web + "tls:\n  acme:\n    directory: https://ca.example/dir\n    dns: {exec: [./hook], resolvers: ['1.1.1.1:53'], propagationTimeout: -1m}\n", 8, "tls.acme.dns.propagationTimeout", "must be > 0"},
	{"environment tls unknown field", web + "environments:\n  prod: {tls: {adress: ':443'}}\n", 6, "environments.prod.tls.adress", "unknown field"},
	{"route timeout negative", web + "    route: {timeout: -1s}\n", 5, "services.web.route.timeout", "must be > 0, like 1s; got -1s"},
	{"route protocol unknown", web + "    route: {path: /, protocol: http2}\n", 5, "services.web.route.protocol", `must be http1 (HTTP/1.1, the default) or h2c (HTTP/2 without TLS), got "http2"`},
	{"two strategies", web + "    strategy: {rolling: {}, blueGreen: {}}\n", 5, "services.web.strategy", "set one strategy"},
	{"canary weight over 100", canaryBase + "        steps: [{setWeight: 120}]\n", 7, "services.web.strategy.canary.steps[0].setWeight", "must be 0..100"},
	{"canary condition does not compile", canaryBase + "        steps: [{setWeight: 20}]\n        analysis:\n          metrics: [{name: up, provider: router, metric: successRate, successCondition: 'result >='}]\n",
		9, "services.web.strategy.canary.analysis.metrics[0].successCondition", "does not compile: Syntax error"},
	{"alpha over one half", seqMetric("alpha: 0.7"), 9, seqPath + ".alpha", "must be in (0, 0.5]"},
	{"alpha zero", seqMetric("alpha: 0"), 9, seqPath + ".alpha", "must be in (0, 0.5]"},
	{"alpha negative", seqMetric("alpha: -0.01"), 9, seqPath + ".alpha", "must be in (0, 0.5]"},
	{"beta over one half", seqMetric("beta: 0.6"), 9, seqPath + ".beta", "must be in (0, 0.5]"},
	{"beta zero", seqMetric("beta: 0"), 9, seqPath + ".beta", "must be in (0, 0.5]"},
	{"beta with the interval judge", seqMetric("judge: interval, beta: 0.1"), 9, seqPath + ".beta", "only used with judge: sequential"},
	{"minEffect negative", seqMetric("minEffect: -0.2"), 9, seqPath + ".minEffect", "must be >= 0"},
	{"judge unknown", seqMetric("judge: bayes"), 9, seqPath + ".judge", "must be sequential or interval"},
	{"sequential on requestRate", canaryBase + "        steps: [{setWeight: 20}]\n        analysis:\n          metrics: [{name: r, provider: router, metric: requestRate, compare: baseline, judge: sequential}]\n", 9, seqPath + ".judge", "not router metric requestRate; use judge: interval"},
	{"sequential on a prometheus number", canaryBase + "        steps: [{setWeight: 20}]\n        analysis:\n          metrics: [{name: q, provider: prometheus, query: 'up', compare: baseline, judge: sequential}]\n",
		9, seqPath + ".judge", "not a Prometheus query (one number per step)"},
	{"sequential on an http value", canaryBase + "        steps: [{setWeight: 20}]\n        analysis:\n          metrics: [{name: h, provider: http, url: 'http://x/', compare: baseline, judge: sequential}]\n",
		9, seqPath + ".judge", "not an HTTP JSON value (one number)"},
	{"alpha with the interval judge", seqMetric("judge: interval, alpha: 0.01"), 9, seqPath + ".alpha", "only used with judge: sequential"},
	{"artifact without path", web + "    artifact: {version: v1}\n", 5, "services.web.artifact.path", "required: the artifact file"},
	{"flag without variants' value", flagBase + "  f: {class: release, type: boolean, variants: {on: yes-please}, default: on}\n", 6, "flags.f.variants.on", "must be true or false (type boolean); got \"yes-please\""},
	{"flag unknown type", flagBase + "  f: {class: release, type: colour, default: on}\n", 6, "flags.f.type", "unknown type \"colour\""},
	{"flag unknown class", flagBase + "  f: {class: fun, type: boolean, default: on}\n", 6, "flags.f.class", "unknown class \"fun\""},
	{"flag rule does not compile", flagBase + "  f:\n    class: release\n    type: boolean\n    default: off\n    rules:\n      - {if: 'ctx.country ==', serve: on}\n",
		11, "flags.f.rules[0].if", "does not compile: Syntax error"},
	{"flag rollout not 100", flagBase + "  f: {class: release, type: boolean, default: off, rollout: {on: 30, off: 30}}\n", 6, "flags.f.rollout", "add up to 60"},
	{"flag unknown segment", flagBase + "  f:\n    class: release\n    type: boolean\n    default: off\n    rules:\n      - {segment: nope, serve: on}\n", 11, "flags.f.rules[0].segment", "unknown segment \"nope\""},
	{"flag prerequisite cycle", flagBase + "  a: {class: release, type: boolean, default: on, prerequisites: [{flag: b, variant: on}]}\n  b: {class: release, type: boolean, default: on, prerequisites: [{flag: a, variant: on}]}\n", 6, "flags.a.prerequisites", "prerequisite cycle: a -> b -> a"},
	{"image and run", web + "    image: shop/web:v1\n", 4, "services.web.run", "runs an image (image:, with an optional command:) or a command (run:, with an optional artifact:), not both"},
	{"command without image", web + "    command: [/web]\n", 5, "services.web.command", "command is the program inside an image: set image: too"},
	{"image reference with spaces", imageBase + "'shop/web v1'\n", 4, "services.web.image", `invalid image reference "shop/web v1"`},
	{"image reference upper case", imageBase + "Shop/Web:v1\n", 4, "services.web.image", "want repo[:tag][@sha256:<64 hex>]"},
	{"image digest too short", imageBase + "shop/web@sha256:abc\n", 4, "services.web.image", "invalid image"},
	{"image empty", imageBase + "''\n", 4, "services.web.image", "must not be empty"},
	{"image with artifact", imageBase + "shop/web:v1\n    artifact: {path: ./web}\n", 5, "services.web.artifact", "the image is its artifact"},
	{"image command empty", imageBase + "shop/web:v1\n    command: []\n", 5, "services.web.command", "leave command out to run the image's entrypoint"},
	{"image command unknown variable", imageBase + "shop/web:v1\n    command: [/web, '${NOPE}']\n", 5, "services.web.command[1]", "${NOPE} is not set"},
	{"environment unknown field", web + "environments:\n  dev: {gatez: []}\n", 6, "environments.dev.gatez", `unknown field "gatez"`},
	{"scale and instances", routed + "    instances: 2\n    scale: {min: 1, max: 3, target: {concurrency: 10}}\n", 6, "services.web.instances", "set either instances or scale, not both"},
	{"scale min above max", routed + "    scale: {min: 5, max: 3, target: {concurrency: 10}}\n", 6, "services.web.scale.min", "must be <= max (3), got 5"},
	{"scale target zero", routed + "    scale:\n      max: 3\n      target: {concurrency: 0}\n", 8, "services.web.scale.target.concurrency", "must be > 0 requests in flight per instance"},
	{"scale rps negative", routed + "    scale: {max: 3, target: {rps: -5}}\n", 6, "services.web.scale.target.rps", "must be > 0 requests per second"},
	{"scale cpu without percent", routed + "    scale: {max: 3, target: {cpu: 70}}\n", 6, "services.web.scale.target.cpu", `like "70%"; got "70"`},
	{"scale two targets", routed + "    scale: {max: 3, target: {rps: 5, concurrency: 2}}\n", 6, "services.web.scale.target", "set exactly one of concurrency, rps or cpu"},
	{"scale no target", routed + "    scale: {max: 3}\n", 6, "services.web.scale.target", "set exactly one of concurrency, rps or cpu"},
	{"scale negative idleAfter", routed + "    scale: {max: 3, target: {rps: 5}, idleAfter: -1m}\n", 6, "services.web.scale.idleAfter", "must be >= 0, got -1m"},
	{"scale negative stabilization", routed + "    scale: {max: 3, target: {rps: 5}, stabilization: {down: -2m}}\n", 6, "services.web.scale.stabilization.down", "must be >= 0"},
	{"scale stable window too short", routed + "    scale: {max: 3, target: {rps: 5}, stableWindow: 2s}\n", 6, "services.web.scale.stableWindow", "must be between 6s and 1h"},
	{"scale panic window over stable", routed + "    scale: {max: 3, target: {rps: 5}, stableWindow: 10s, panicWindow: 20s}\n", 6, "services.web.scale.panicWindow", "the stable window (10s)"},
	{"scale panic window zero", routed + "    scale: {max: 3, target: {rps: 5}, panicWindow: 0s}\n", 6, "services.web.scale.panicWindow", "must be between 1s and the stable window (1m)"},
	{"scale panic threshold at 1", routed + "    scale: {max: 3, target: {rps: 5}, panicThreshold: 1}\n", 6, "services.web.scale.panicThreshold", "must be between 1.1 and 10"},
	{"route maxConcurrency zero", web + "    route: {path: /, maxConcurrency: 0}\n", 5, "services.web.route.maxConcurrency", "must be > 0 requests at once per instance"},
	{"scale to zero without route", web + "    scale: {min: 0, max: 3, target: {rps: 5}}\n", 5, "services.web.scale.min", "0 needs a route"},
	{"scale max zero", routed + "    scale: {min: 0, max: 0, target: {rps: 5}}\n", 6, "services.web.scale.max", "must be >= 1, got 0"},
	// Secrets (secrets.go).
	{"secret without source", web + "secrets:\n  db: {}\n", 6, "secrets.db", "give exactly one of fromEnv"},
	{"secret with two sources", web + "secrets:\n  db: {fromEnv: DB, fromFile: ./db}\n", 6, "secrets.db", "give exactly one of fromEnv"},
	{"secret bad name", web + "secrets:\n  'db pass': {fromEnv: DB}\n", 6, "secrets.db pass", "invalid secret name"},
	{"secret unknown source", web + "secrets:\n  db: {fromVault: x}\n", 6, "secrets.db.fromVault", `unknown field "fromVault"`},
	{"secret command empty program", web + "secrets:\n  db: {fromCommand: ['', x]}\n", 6, "secrets.db.fromCommand[0]", "the program is empty"},
	{"secret reference bad name", web + "    env: {DB: '${secret.a b}'}\n", 5, "services.web.env.DB", "invalid secret name"},
}

// routed is web with a route; a case's lines start at 6.
const routed = web + "    route: {path: /}\n"

// seqPath is the field path of seqMetric's metric.
const seqPath = "services.web.strategy.canary.analysis.metrics[0]"

// seqMetric is a canary judging the router's successRate against
// stable, with extra settings; its metric is on line 9.
func seqMetric(extra string) string {
	return canaryBase + "        steps: [{setWeight: 20}]\n        analysis:\n" +
		"          metrics: [{name: up, provider: router, metric: successRate, compare: baseline, " + extra + "}]\n"
}

// catalogueOptions check expressions as the server does. A flag
// condition is CEL over ctx (package flags, which ranks above spec);
// the catalogue's bad flag condition is a syntax error, which analysis's
// CEL environment finds alike.
var catalogueOptions = Options{CheckExpr: analysis.CheckExpr, CheckFlagExpr: analysis.CheckExpr, Applying: true}

// TestBadInputCatalogueSpec parses every bad document: each reports its
// problem at its line and path, with its words, and leaves the bytes it
// was given as they were.
func TestBadInputCatalogueSpec(t *testing.T) {
	runCatalogue(t, "spec", badSpecs, catalogueOptions)
}

// runCatalogue parses every bad document of specs with opts: each
// reports its problem at its line and path, with its words, and leaves
// the bytes it was given as they were. label names the catalogue in the
// count it logs.
func runCatalogue(t *testing.T, label string, specs []badSpec, opts Options) {
	t.Helper()
	for _, tc := range specs {
		t.Run(tc.name, func(t *testing.T) {
			src := []byte(tc.src)
			_, err := ParseWith("slipway.yaml", src, opts)
			if !bytes.Equal(src, []byte(tc.src)) {
				t.Fatal("Parse changed its input")
			}
			if err == nil {
				t.Fatal("parsed without a problem")
			}
			if !hasProblem(err.(*Problems), tc) {
				t.Fatalf("problems:\n%v\nwant slipway.yaml:%d: %s: ...%s...", err, tc.line, tc.path, tc.want)
			}
		})
	}
	t.Logf("catalogue: %s: %d bad inputs", label, len(specs))
}

// hasProblem reports whether ps holds the problem tc expects.
func hasProblem(ps *Problems, tc badSpec) bool {
	for _, p := range *ps {
		if p.File == "slipway.yaml" && p.Line == tc.line && p.Path == tc.path && strings.Contains(p.Message, tc.want) {
			return true
		}
	}
	return false
}
