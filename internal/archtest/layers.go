package archtest

// layer ranks one package of the module, named by its path inside the
// module ("store/sqlite").
type layer struct {
	pkg  string
	rank int
}

// layers ranks every package of the module. A non-test file may import
// only module packages of a strictly lower rank; a test file may also
// import its own package and its package's subpackages (store's tests run
// storetest against store/sqlite). Ranks are derived from today's imports,
// each package as low as the architecture allows, except where noted: a
// package is raised when something below it must not import it (api sits
// above every domain package; examples and benchmarks at the top).
//
// A new package gets the lowest rank above everything it imports; when it
// must sit between two ranks, shift the ranks above it up by one. Keep one
// line per package and draw changes in docs/ARCHITECTURE.md#layers.
var layers = []layer{
	// 0: leaf helpers; they import nothing of the module.
	{"internal/atomicfile", 0},
	{"internal/clock", 0},
	{"internal/gctune", 0},
	{"internal/loadgen", 0},
	{"internal/pebbletest", 0},
	{"internal/promtest", 0},
	{"internal/queue", 0},
	{"internal/ratelimit", 0},
	{"internal/turn", 0},          // a write then a wait and a read on a socket, one syscall fewer: the router's and its front's
	{"platform/kube/kubetest", 0}, // a real kube-apiserver and etcd for tests (envtest)

	// 1-3: the pure domain, its contracts and their plain implementations.
	{"analysis", 1},
	{"artifact", 1},
	{"image", 1},
	{"image/imagetest", 1}, // not test-only: the demo and bench/containers build images with it
	{"mirror", 1},
	{"pipeline/testrun", 1},
	{"analysis/httpjson", 2},
	{"analysis/prometheus", 2},
	{"router", 2},
	{"router/front", 3},     // its differential tests serve the router through it
	{"router/accesslog", 3}, // the router's access log and trace context
	{"spec", 2},
	{"config", 3}, // dynamic configuration: checks, edits, delivery steps
	{"flags", 3},
	{"health", 3},
	{"router/metrics", 3},
	{"autoscale", 3},
	{"store", 3},

	// 4-8: store and driver suites and backends, controllers and verbs.
	{"dora", 4},
	{"router/edge", 4}, // TLS in front of the router (served by router/front): ACME, SNI, mutual TLS
	{"history", 4},
	{"secret", 4}, // seals secrets with age, stores their versions
	{"flags/feed", 4},
	{"flags/ofrep", 4},
	{"store/storetest", 4},
	{"workload", 4},
	{"flags/ofrep/ofreptest", 5},
	{"store/sqlite", 5}, // above storetest: its tests run the suite
	{"workload/workloadtest", 5},
	{"workload/instdir", 5}, // what the local drivers share of an instance's folder: its record, exit.json, a monitor's status
	{"stack", 6},            // above store/sqlite: its tests read old data with it
	{"platform/kube", 6},    // implements workload.Platform with Kubernetes objects; above workloadtest: its tests run the Platform suite
	{"teardown", 6},         // above store/sqlite: its tests run on it
	{"notify", 6},           // above secret and store/sqlite (its tests run on it)
	{"rollout", 7},          // above stack and store/sqlite
	{"workload/process", 7}, // above workloadtest: its tests run the suite
	{"pipeline", 8},
	{"workload/container", 8}, // above workload/process, whose users, logs and /proc checks it shares
	{"backup", 8},             // above store/sqlite and workload/process, which it drives

	// 9-10: the wire. api is raised above the domain so that no domain
	// package can import wire types.
	{"api", 9},
	{"client", 10},
	{"dashboard", 10}, // calls the API in-process, as a handler
	{"httpapi", 10},

	// 11: the edge: composition root, commands, parts of programs.
	{"bench/chaos/monkey", 11},
	{"bench/flags/flagspec", 11},
	{"bench/internal/benchkit", 11},
	{"cli", 11},
	{"examples/shop", 11}, // raised: only programs embed the example service
	{"server", 11},

	// 12: programs and tests; nothing imports them.
	{"bench/anytime", 12},
	{"bench/canary", 12},
	{"bench/chaos", 12},
	{"bench/containers", 12},
	{"bench/dora", 12},
	{"bench/flags", 12},
	{"bench/flags/flagsproc", 12},
	{"bench/foundation", 12},
	{"bench/promotion", 12},
	{"bench/router", 12},
	{"bench/router/backend", 12},
	{"bench/router/routerproc", 12},
	{"bench/config", 12},
	{"bench/rollingupdate", 12},
	{"bench/autoscale", 12},
	{"bench/notify", 12},
	{"cmd/slipway", 12},
	{"e2e", 12},
	{"examples/order", 12},
	{"internal/archtest", 12},
}

// onlyImports are the rules ranks cannot express: the non-test files of a
// listed package may import only the listed module packages.
var onlyImports = map[string][]string{
	// api is the v1 wire format: plain types, nothing of the server.
	"api": {},
	// client speaks the wire format and nothing else.
	"client": {"api"},
	// cli talks to the server only through client + api; it also parses
	// the spec (and its expressions), flags and artifacts locally, so that
	// problems show before anything is sent.
	"cli": {"analysis", "api", "artifact", "client", "flags", "spec"},
}

// testSupport are packages made for tests (conformance suites, a real
// Prometheus): only test files, and other test-support packages, may
// import them.
var testSupport = []string{
	"flags/ofrep/ofreptest",
	"internal/pebbletest",
	"internal/promtest",
	"platform/kube/kubetest",
	"store/storetest",
	"workload/workloadtest",
}
