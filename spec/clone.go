package spec

import (
	"maps"
	"slices"
)

// Clone returns a deep copy of s: changing the copy never changes s.
func (s *Service) Clone() *Service {
	if s == nil {
		return nil
	}
	c := *s
	c.Run = slices.Clone(s.Run)
	c.Command = slices.Clone(s.Command)
	c.Env = maps.Clone(s.Env)
	c.SecretVersions = maps.Clone(s.SecretVersions)
	c.Instances = clonePtr(s.Instances)
	c.Scale = clonePtr(s.Scale)
	c.Health.Readiness = s.Health.Readiness.clone()
	c.Health.Liveness = s.Health.Liveness.clone()
	c.DependsOn = slices.Clone(s.DependsOn)
	c.Jobs = cloneJobs(s.Jobs)
	c.Mounts = cloneMounts(s.Mounts)
	c.Route.Hosts = slices.Clone(s.Route.Hosts)
	c.Route.Certificate = clonePtr(s.Route.Certificate)
	c.Artifact = clonePtr(s.Artifact)
	if c.Artifact != nil {
		c.Artifact.Commits = slices.Clone(c.Artifact.Commits)
	}
	c.Strategy.BlueGreen = clonePtr(s.Strategy.BlueGreen)
	c.Strategy.Canary = s.Strategy.Canary.clone()
	c.Strategy.ParallelRun = s.Strategy.ParallelRun.clone()
	if r := s.Strategy.Rolling; r != nil {
		c.Strategy.Rolling = &Rolling{
			MaxSurge:         clonePtr(r.MaxSurge),
			MaxUnavailable:   clonePtr(r.MaxUnavailable),
			MinReady:         r.MinReady,
			ProgressDeadline: r.ProgressDeadline,
		}
	}
	return &c
}

func (p *Probe) clone() *Probe {
	if p == nil {
		return nil
	}
	c := *p
	c.Exec = slices.Clone(p.Exec)
	return &c
}

// clonePtr copies the value a pointer points to (a shallow copy of it).
func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// Clone returns a deep copy of the app, keeping its positions.
func (a *App) Clone() *App {
	if a == nil {
		return nil
	}
	c := *a
	c.Services = make(map[string]*Service, len(a.Services))
	for name, s := range a.Services {
		c.Services[name] = s.Clone()
	}
	c.Flags, c.Segments = a.cloneFlags()
	if a.Configs != nil {
		c.Configs = make(map[string]*Config, len(a.Configs))
		for name, cfg := range a.Configs {
			c.Configs[name] = cfg.Clone()
		}
	}
	c.Environments = a.cloneEnvironments()
	c.TLS = a.TLS.clone()
	if a.Secrets != nil {
		c.Secrets = make(map[string]*SecretSource, len(a.Secrets))
		for name, src := range a.Secrets {
			c.Secrets[name] = clonePtr(src)
			if src != nil {
				c.Secrets[name].FromCommand = slices.Clone(src.FromCommand)
			}
		}
	}
	c.Volumes = maps.Clone(a.Volumes)             // values are never changed in place
	c.Notifications = maps.Clone(a.Notifications) // likewise
	c.envOrder = slices.Clone(a.envOrder)
	return &c
}
