package spec

import "time"

// App is a parsed and defaulted app spec (slipway.yaml).
type App struct {
	// Name is the app's name (the `app:` key).
	Name string `yaml:"app" json:"app"`
	// Services by name.
	Services map[string]*Service `yaml:"services" json:"services"`
	// Environments are the targets a version is promoted through, by
	// name (environments.go); none means one, DefaultEnvironment.
	Environments map[string]*Environment `yaml:"environments,omitempty" json:"environments,omitempty"`
	// Environment is the environment whose overrides Services hold
	// (Options.Environment); "" for the base spec of a spec with
	// environments.
	Environment string `yaml:"-" json:"environment,omitempty"`
	// Flags are feature flags by key (flags.go); package flags
	// evaluates them.
	Flags map[string]*Flag `yaml:"flags,omitempty" json:"flags,omitempty"`
	// Segments are named conditions that flag rules share, by name.
	Segments map[string]*Segment `yaml:"segments,omitempty" json:"segments,omitempty"`
	// Configs are dynamic configurations by name (configs.go), delivered
	// to the instances of the service that reads each.
	Configs map[string]*Config `yaml:"configs,omitempty" json:"configs,omitempty"`
	// TLS is the default environment's TLS listener (tls.go); an
	// environment has its own.
	TLS *TLS `yaml:"tls,omitempty" json:"tls,omitempty"`
	// Secrets say where the CLI reads each secret at apply time
	// (secrets.go); env values reference them as ${secret.NAME}.
	Secrets map[string]*SecretSource `yaml:"secrets,omitempty" json:"secrets,omitempty"`
	// Volumes are folders that outlive revisions, by name (volumes.go).
	Volumes map[string]*Volume `yaml:"volumes,omitempty" json:"volumes,omitempty"`
	// Notifications are the destinations events are sent to, by name
	// (notifications.go; package notify delivers them).
	Notifications map[string]*Notification `yaml:"notifications,omitempty" json:"notifications,omitempty"`

	// file and index remember where the app was parsed from, so that
	// problems found later (CheckArtifacts) and Line can name a line.
	file  string
	index index
	// envOrder is the environments' names in the order they are written.
	envOrder []string
}

// Service is one logical component of an app. After Parse, every field
// holds its effective value (defaults applied), so two services compare
// equal exactly when they would run the same way.
type Service struct {
	// Name is the key under `services:`; not part of the YAML body.
	Name string `yaml:"-" json:"name"`
	// Run is the command and its arguments. ${PORT} and ${VAR} expand from
	// the instance's environment. A service has Run (with an optional
	// Artifact) or Image (with an optional Command), never both.
	Run []string `yaml:"run" json:"run"`
	// Image is an OCI image reference, repo[:tag][@sha256:...] (image.go),
	// that instances run in, each as its own container. Once applied or
	// deployed it is pinned by digest (repo:tag@sha256:...): a revision
	// names exactly one image, never a tag that may move.
	Image string `yaml:"image,omitempty" json:"image,omitempty"`
	// Command is the program inside the image and its arguments, expanded
	// like Run; empty runs the image's entrypoint and cmd. Only with Image.
	Command []string `yaml:"command,omitempty" json:"command,omitempty"`
	// Env is added to every instance's environment.
	Env map[string]string `yaml:"env,omitempty" json:"env,omitempty"`
	// Instances is how many copies run; default 1, 0 is allowed (scaled down).
	Instances *int `yaml:"instances,omitempty" json:"instances"`
	// Scale, when set, lets the autoscaler set the count from traffic
	// (scale.go); Instances is then the count a new revision starts with.
	Scale *Scale `yaml:"scale,omitempty" json:"scale,omitempty"`
	// Resources are per-instance limits.
	Resources Resources `yaml:"resources,omitempty" json:"resources"`
	// Health holds the readiness and liveness checks.
	Health Health `yaml:"health,omitempty" json:"health"`
	// Route says how the router reaches this service.
	Route Route `yaml:"route,omitempty" json:"route"`
	// DependsOn names services that must be ready first.
	DependsOn []string `yaml:"dependsOn,omitempty" json:"dependsOn,omitempty"`
	// Artifact is a file copied into the store by digest and placed in each
	// instance's working directory at Path.
	Artifact *Artifact `yaml:"artifact,omitempty" json:"artifact,omitempty"`
	// Strategy says how a new revision replaces the running one.
	Strategy Strategy `yaml:"strategy,omitempty" json:"strategy"`
	// StopGrace is how long an instance has between SIGTERM and SIGKILL.
	StopGrace Duration `yaml:"stopGrace,omitempty" json:"stopGrace"`
	// User is who instances run as when the server runs as root: "NAME",
	// "UID", either with ":GID" or ":GROUP". Empty (the default) is a
	// dynamic unprivileged user of the service's own; "root" or "0" is
	// the only way to run as root (plan warns). A server that is not
	// root runs instances as its own user whatever this says.
	User string `yaml:"user,omitempty" json:"user,omitempty"`
	// SecretVersions are the versions of the secrets its env references
	// (SecretRefs), by name: set by the server when it makes a revision,
	// never written in a spec, so a changed secret changes the service
	// (a new revision) and plan shows it by version, never by value.
	SecretVersions map[string]int `yaml:"-" json:"secretVersions,omitempty"`
	// Jobs run once per revision, before its rollout or once it is ready
	// (jobs.go), by name.
	Jobs map[string]*Job `yaml:"jobs,omitempty" json:"jobs,omitempty"`
	// Mounts put the app's volumes into instances (volumes.go).
	Mounts []Mount `yaml:"mounts,omitempty" json:"mounts,omitempty"`
}

// Replicas returns the desired instance count.
func (s *Service) Replicas() int {
	if s.Instances == nil {
		return 1
	}
	return *s.Instances
}

// Resources are cgroup limits for one instance. Zero means unlimited.
type Resources struct {
	// CPU in cores (0.5 = half a core).
	CPU float64 `yaml:"cpu,omitempty" json:"cpu,omitempty"`
	// Memory in bytes; YAML takes Kubernetes quantities (128Mi, 1Gi, 500M).
	Memory Quantity `yaml:"memory,omitempty" json:"memory,omitempty"`
	// PIDs caps the number of processes and threads.
	PIDs int `yaml:"pids,omitempty" json:"pids,omitempty"`
}

// Health holds an instance's checks.
type Health struct {
	Readiness *Probe `yaml:"readiness,omitempty" json:"readiness,omitempty"`
	Liveness  *Probe `yaml:"liveness,omitempty" json:"liveness,omitempty"`
}

// Probe is one health check. Exactly one of HTTP, TCP or Exec is set.
type Probe struct {
	// HTTP is a path requested with GET on the instance's port; 2xx/3xx pass.
	HTTP string `yaml:"http,omitempty" json:"http,omitempty"`
	// TCP passes when the instance's port accepts a connection.
	TCP bool `yaml:"tcp,omitempty" json:"tcp,omitempty"`
	// Exec runs a command in the instance's directory; exit 0 passes.
	Exec []string `yaml:"exec,omitempty" json:"exec,omitempty"`
	// Interval between checks (default 1s for readiness, 5s for liveness).
	Interval Duration `yaml:"interval,omitempty" json:"interval"`
	// Timeout of one check (default 1s).
	Timeout Duration `yaml:"timeout,omitempty" json:"timeout"`
	// FailureThreshold consecutive failures flip a passing check (default 3).
	FailureThreshold int `yaml:"failureThreshold,omitempty" json:"failureThreshold"`
	// SuccessThreshold consecutive successes flip a failing check (default 1).
	SuccessThreshold int `yaml:"successThreshold,omitempty" json:"successThreshold"`
	// InitialDelay before the first check.
	InitialDelay Duration `yaml:"initialDelay,omitempty" json:"initialDelay"`
}

// Route is where the router sends a service's traffic from, and the
// limits it holds requests to.
type Route struct {
	// Host is the one-host form of Hosts; a route sets one or the other.
	Host string `yaml:"host,omitempty" json:"host,omitempty"`
	// Hosts are the host names the route answers (tls.go): exact names
	// and wildcards ("*.shop.example", one leftmost label).
	Hosts []string `yaml:"hosts,omitempty" json:"hosts,omitempty"`
	// Certificate, when set, is served for the route's hosts instead of
	// one obtained over ACME (tls.go).
	Certificate *Certificate `yaml:"certificate,omitempty" json:"certificate,omitempty"`
	// ClientCA, when set, is a PEM file of the authorities a client's
	// certificate must chain to (mutual TLS on the route's hosts).
	ClientCA string `yaml:"clientCA,omitempty" json:"clientCA,omitempty"`
	Path     string `yaml:"path,omitempty" json:"path,omitempty"`
	// Timeout bounds the wait for an instance's response headers
	// (default 60s); past it the client gets a 504.
	Timeout Duration `yaml:"timeout,omitempty" json:"timeout"`
	// MaxBody caps a request body (default 10Mi); larger gets a 413.
	MaxBody Quantity `yaml:"maxBody,omitempty" json:"maxBody,omitempty"`
	// DrainTimeout bounds how long an instance leaving rotation may
	// finish its requests in flight before it is stopped (default 30s).
	DrainTimeout Duration `yaml:"drainTimeout,omitempty" json:"drainTimeout"`
	// MaxConcurrency is the most requests one instance gets at once; more
	// wait in the router for a slot, up to Timeout (Knative's
	// containerConcurrency with its activator). Zero: 256, half an
	// instance's default pids limit, so that a server with a thread per
	// connection never runs out of threads.
	MaxConcurrency int `yaml:"maxConcurrency,omitempty" json:"maxConcurrency,omitempty"`
	// Protocol is what the service's instances speak to the router:
	// ProtocolHTTP1 (the default) or ProtocolH2C, HTTP/2 without TLS
	// (gRPC servers, HTTP/2-only services). Clients reach the router in
	// any protocol either way, and the instances' http health checks
	// speak it too.
	Protocol string `yaml:"protocol,omitempty" json:"protocol,omitempty"`
}

// The protocols a route's instances may speak (Route.Protocol).
const (
	ProtocolHTTP1 = "http1"
	ProtocolH2C   = "h2c"
)

// H2C reports whether the route's instances speak h2c.
func (r Route) H2C() bool { return r.Protocol == ProtocolH2C }

// Strategy says how a new revision replaces the running one. At most one
// field is set; none means Rolling with defaults.
type Strategy struct {
	Rolling   *Rolling   `yaml:"rolling,omitempty" json:"rolling,omitempty"`
	BlueGreen *BlueGreen `yaml:"blueGreen,omitempty" json:"blueGreen,omitempty"`
	// Canary shifts traffic step by step under analysis (canary.go).
	Canary *Canary `yaml:"canary,omitempty" json:"canary,omitempty"`
	// ParallelRun mirrors requests to the candidate and compares its
	// answers with stable's (parallelrun.go).
	ParallelRun *ParallelRun `yaml:"parallelRun,omitempty" json:"parallelRun,omitempty"`
}

// BlueGreen starts the whole new revision beside the old one, reachable
// only through the preview header, then switches all traffic at once.
type BlueGreen struct {
	// PreviewHeader routes a request carrying it (any value) to the new
	// revision before it is promoted (default X-Slipway-Preview).
	PreviewHeader string `yaml:"previewHeader,omitempty" json:"previewHeader,omitempty"`
	// AutoPromote switches traffic as soon as the new revision is ready;
	// otherwise it waits for `slipway rollout promote`.
	AutoPromote bool `yaml:"autoPromote,omitempty" json:"autoPromote,omitempty"`
	// ScaleDownDelay keeps the old revision running after the switch, so
	// that a rollback is a traffic switch (default 5m).
	ScaleDownDelay Duration `yaml:"scaleDownDelay,omitempty" json:"scaleDownDelay"`
	// ProgressDeadline bounds the time for the new revision to become
	// ready without progress (default 2m: each instance that becomes
	// available starts it again); waiting for promotion is not bounded.
	ProgressDeadline Duration `yaml:"progressDeadline,omitempty" json:"progressDeadline"`
}

// Rolling replaces instances a few at a time.
type Rolling struct {
	// MaxSurge is how many instances above the desired count may run
	// during a rollout (default 1).
	MaxSurge *int `yaml:"maxSurge,omitempty" json:"maxSurge"`
	// MaxUnavailable is how many below the desired count may be unready
	// (default 0).
	MaxUnavailable *int `yaml:"maxUnavailable,omitempty" json:"maxUnavailable"`
	// MinReady is how long a new instance must stay ready before it counts.
	MinReady Duration `yaml:"minReady,omitempty" json:"minReady"`
	// ProgressDeadline bounds the time without progress (default 2m):
	// the rollout fails when no new instance became available within it,
	// as a Deployment's progressDeadlineSeconds.
	ProgressDeadline Duration `yaml:"progressDeadline,omitempty" json:"progressDeadline"`
}

// Duration is a time.Duration written as "1s", "2m30s" in YAML and JSON.
type Duration struct{ time.Duration }

// Quantity is a byte count written as 128Mi, 1Gi, 500M or a plain number.
type Quantity int64
