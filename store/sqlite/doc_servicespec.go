package sqlite

import "github.com/slipway-dev/slipway/spec"

// serviceSpecDoc is a revision's service spec as stored (spec.Service):
// what runs (a command, or an image pinned by digest and its command), its environment, health checks, route, artifact and
// strategy (doc_strategy.go).
type serviceSpecDoc struct {
	Name      string            `json:"name"`
	Run       []string          `json:"run"`
	Image     string            `json:"image,omitempty"`
	Command   []string          `json:"command,omitempty"`
	Env       map[string]string `json:"env,omitempty"`
	Instances *int              `json:"instances"`
	Scale     *scaleDoc         `json:"scale,omitempty"`
	Resources resourcesDoc      `json:"resources"`
	Health    healthDoc         `json:"health"`
	Route     routeDoc          `json:"route"`
	DependsOn []string          `json:"dependsOn,omitempty"`
	Artifact  *artifactDoc      `json:"artifact,omitempty"`
	Strategy  strategyDoc       `json:"strategy"`
	StopGrace durationDoc       `json:"stopGrace"`
	User      string            `json:"user,omitempty"`
	// SecretVersions name the sealed secrets the env references, by
	// name (issue 17); never their values.
	SecretVersions map[string]int    `json:"secretVersions,omitempty"`
	Jobs           map[string]jobDoc `json:"jobs,omitempty"`
	Mounts         []mountDoc        `json:"mounts,omitempty"`
}

// resourcesDoc is a service's limits; Memory in bytes.
type resourcesDoc struct {
	CPU    float64 `json:"cpu,omitempty"`
	Memory int64   `json:"memory,omitempty"`
	PIDs   int     `json:"pids,omitempty"`
}

// healthDoc holds a service's probes.
type healthDoc struct {
	Readiness *probeDoc `json:"readiness,omitempty"`
	Liveness  *probeDoc `json:"liveness,omitempty"`
}

// probeDoc is one health probe.
type probeDoc struct {
	HTTP             string      `json:"http,omitempty"`
	TCP              bool        `json:"tcp,omitempty"`
	Exec             []string    `json:"exec,omitempty"`
	Interval         durationDoc `json:"interval"`
	Timeout          durationDoc `json:"timeout"`
	FailureThreshold int         `json:"failureThreshold"`
	SuccessThreshold int         `json:"successThreshold"`
	InitialDelay     durationDoc `json:"initialDelay"`
}

// routeDoc is how users reach a service; MaxBody in bytes.
type routeDoc struct {
	Host         string          `json:"host,omitempty"`
	Hosts        []string        `json:"hosts,omitempty"`
	Certificate  *certificateDoc `json:"certificate,omitempty"`
	ClientCA     string          `json:"clientCA,omitempty"`
	Path         string          `json:"path,omitempty"`
	Timeout      durationDoc     `json:"timeout"`
	MaxBody      int64           `json:"maxBody,omitempty"`
	DrainTimeout durationDoc     `json:"drainTimeout"`
	// MaxConcurrency is absent before the router's per-instance limit.
	MaxConcurrency int    `json:"maxConcurrency,omitempty"`
	Protocol       string `json:"protocol,omitempty"` // since issue 16: h2c instances
}

// certificateDoc is a route's own certificate: the PEM files' absolute
// paths (the key stays in its file).
type certificateDoc struct {
	Cert string `json:"cert"`
	Key  string `json:"key"`
}

// artifactDoc is the file a service runs, by digest, with its commits.
type artifactDoc struct {
	Path       string              `json:"path"`
	Version    string              `json:"version,omitempty"`
	Digest     string              `json:"digest,omitempty"`
	Commit     string              `json:"commit,omitempty"`
	CommitTime string              `json:"commitTime,omitempty"`
	Commits    []artifactCommitDoc `json:"commits,omitempty"`
}

// artifactCommitDoc is one commit an artifact carries; Time as written
// (RFC 3339).
type artifactCommitDoc struct {
	ID   string `json:"id"`
	Time string `json:"time"`
}

func toServiceSpecDoc(s spec.Service) serviceSpecDoc {
	return serviceSpecDoc{
		Name: s.Name, Run: s.Run, Image: s.Image, Command: s.Command, Env: s.Env, Instances: s.Instances, Scale: ptr(s.Scale, toScaleDoc),
		Resources: resourcesDoc{CPU: s.Resources.CPU, Memory: int64(s.Resources.Memory), PIDs: s.Resources.PIDs},
		Health: healthDoc{
			Readiness: ptr(s.Health.Readiness, toProbeDoc),
			Liveness:  ptr(s.Health.Liveness, toProbeDoc),
		},
		Route:     toRouteDoc(s.Route),
		DependsOn: s.DependsOn,
		Artifact:  ptr(s.Artifact, toArtifactDoc),
		Strategy:  toStrategyDoc(s.Strategy),
		StopGrace: toDurationDoc(s.StopGrace),
		User:      s.User,

		SecretVersions: s.SecretVersions,
		Jobs:           toJobDocs(s.Jobs),
		Mounts:         toMountDocs(s.Mounts),
	}
}

func fromServiceSpecDoc(d serviceSpecDoc) spec.Service {
	return spec.Service{
		Name: d.Name, Run: d.Run, Image: d.Image, Command: d.Command, Env: d.Env, Instances: d.Instances, Scale: ptr(d.Scale, fromScaleDoc),
		Resources: spec.Resources{CPU: d.Resources.CPU, Memory: spec.Quantity(d.Resources.Memory), PIDs: d.Resources.PIDs},
		Health: spec.Health{
			Readiness: ptr(d.Health.Readiness, fromProbeDoc),
			Liveness:  ptr(d.Health.Liveness, fromProbeDoc),
		},
		Route:     fromRouteDoc(d.Route),
		DependsOn: d.DependsOn,
		Artifact:  ptr(d.Artifact, fromArtifactDoc),
		Strategy:  fromStrategyDoc(d.Strategy),
		StopGrace: fromDurationDoc(d.StopGrace),
		User:      d.User,

		SecretVersions: d.SecretVersions,
		Jobs:           fromJobDocs(d.Jobs),
		Mounts:         fromMountDocs(d.Mounts),
	}
}

func toProbeDoc(p spec.Probe) probeDoc {
	return probeDoc{
		HTTP: p.HTTP, TCP: p.TCP, Exec: p.Exec,
		Interval: toDurationDoc(p.Interval), Timeout: toDurationDoc(p.Timeout),
		FailureThreshold: p.FailureThreshold, SuccessThreshold: p.SuccessThreshold,
		InitialDelay: toDurationDoc(p.InitialDelay),
	}
}

func fromProbeDoc(d probeDoc) spec.Probe {
	return spec.Probe{
		HTTP: d.HTTP, TCP: d.TCP, Exec: d.Exec,
		Interval: fromDurationDoc(d.Interval), Timeout: fromDurationDoc(d.Timeout),
		FailureThreshold: d.FailureThreshold, SuccessThreshold: d.SuccessThreshold,
		InitialDelay: fromDurationDoc(d.InitialDelay),
	}
}

func toRouteDoc(r spec.Route) routeDoc {
	return routeDoc{
		Host: r.Host, Hosts: r.Hosts, ClientCA: r.ClientCA, Path: r.Path, Timeout: toDurationDoc(r.Timeout),
		MaxBody: int64(r.MaxBody), DrainTimeout: toDurationDoc(r.DrainTimeout), MaxConcurrency: r.MaxConcurrency, Protocol: r.Protocol,
		Certificate: ptr(r.Certificate, func(c spec.Certificate) certificateDoc { return certificateDoc(c) }),
	}
}

func fromRouteDoc(d routeDoc) spec.Route {
	return spec.Route{
		Host: d.Host, Hosts: d.Hosts, ClientCA: d.ClientCA, Path: d.Path, Timeout: fromDurationDoc(d.Timeout),
		MaxBody: spec.Quantity(d.MaxBody), DrainTimeout: fromDurationDoc(d.DrainTimeout), MaxConcurrency: d.MaxConcurrency, Protocol: d.Protocol,
		Certificate: ptr(d.Certificate, func(c certificateDoc) spec.Certificate { return spec.Certificate(c) }),
	}
}

func toArtifactDoc(a spec.Artifact) artifactDoc {
	return artifactDoc{
		Path: a.Path, Version: a.Version, Digest: a.Digest,
		Commit: string(a.Commit), CommitTime: string(a.CommitTime),
		Commits: each(a.Commits, func(c spec.ArtifactCommit) artifactCommitDoc {
			return artifactCommitDoc{ID: string(c.ID), Time: string(c.Time)}
		}),
	}
}

func fromArtifactDoc(d artifactDoc) spec.Artifact {
	return spec.Artifact{
		Path: d.Path, Version: d.Version, Digest: d.Digest,
		Commit: spec.CommitID(d.Commit), CommitTime: spec.Timestamp(d.CommitTime),
		Commits: each(d.Commits, func(c artifactCommitDoc) spec.ArtifactCommit {
			return spec.ArtifactCommit{ID: spec.CommitID(c.ID), Time: spec.Timestamp(c.Time)}
		}),
	}
}
