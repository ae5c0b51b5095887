package spec

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Scale lets the autoscaler set a service's instance count from its
// traffic, between Min and Max (package autoscale decides, the service
// controller applies). It replaces `instances:`; Min 0 allows scale to
// zero after IdleAfter without a request, which needs a route (the
// router holds the request that wakes the service). In a Kubernetes
// environment it becomes a HorizontalPodAutoscaler per revision
// (platform/kube's HPA): a CPU target only, Min at least 1, Slipway's
// windows left out, the stabilization windows at most 1h (kubeScale).
type Scale struct {
	// Min and Max bound the count; Min 0 means scale to zero when idle.
	Min int `yaml:"min" json:"min"`
	Max int `yaml:"max" json:"max"`
	// Target is what one instance should carry; exactly one field set.
	Target ScaleTarget `yaml:"target" json:"target"`
	// IdleAfter is how long without a request before a service with
	// Min 0 scales to zero (default 5m).
	IdleAfter Duration `yaml:"idleAfter,omitempty" json:"idleAfter"`
	// Stabilization is how long a lower (Down) or higher (Up) count must
	// be wanted before it is applied, as a Kubernetes HPA's behavior.
	Stabilization Stabilization `yaml:"stabilization,omitempty" json:"stabilization"`
	// StableWindow is how far back the load is averaged for the count
	// (default 60s; 6s to 1h, as Knative's window). PanicWindow is the
	// short window that catches a burst (default 6s; 1s to
	// StableWindow). PanicThreshold is how many times the instances
	// running the panic window must want before the scaler panics:
	// scales to it at once and not down until the burst has been gone
	// for a stable window (default 2; 1.1 to 10, Knative's 110% to
	// 1000%). Zero means the default.
	StableWindow   Duration `yaml:"stableWindow,omitempty" json:"stableWindow,omitzero"`
	PanicWindow    Duration `yaml:"panicWindow,omitempty" json:"panicWindow,omitzero"`
	PanicThreshold float64  `yaml:"panicThreshold,omitempty" json:"panicThreshold,omitempty"`
}

// ScaleTarget is the load one instance should carry: requests in flight
// (Concurrency), requests per second (RPS) or CPU use of its cgroup as a
// percentage of one core or of its CPU limit ("70%").
type ScaleTarget struct {
	Concurrency float64 `yaml:"concurrency,omitempty" json:"concurrency,omitempty"`
	RPS         float64 `yaml:"rps,omitempty" json:"rps,omitempty"`
	CPU         string  `yaml:"cpu,omitempty" json:"cpu,omitempty"`
}

// Stabilization windows of the autoscaler.
type Stabilization struct {
	// Up is how long a higher count must be wanted (default 0s: at once).
	Up Duration `yaml:"up,omitempty" json:"up"`
	// Down is how long a lower count must be wanted (default 2m; 0
	// means the default, so write 1ms for "at once").
	Down Duration `yaml:"down,omitempty" json:"down"`
}

// Scale defaults, and the bounds of the autoscaler's windows.
const (
	DefaultIdleAfter         = 5 * time.Minute
	DefaultStabilizationDown = 2 * time.Minute
	DefaultStableWindow      = 60 * time.Second
	DefaultPanicWindow       = 6 * time.Second
	DefaultPanicThreshold    = 2.0
	minStableWindow          = 6 * time.Second
	maxStableWindow          = time.Hour
	minPanicWindow           = time.Second
	minPanicThreshold        = 1.1
	maxPanicThreshold        = 10.0
)

// CPUPercent returns the CPU target as a percentage ("70%" is 70), and
// whether one is set and well formed.
func (t ScaleTarget) CPUPercent() (float64, bool) {
	s := strings.TrimSpace(t.CPU)
	if !strings.HasSuffix(s, "%") {
		return 0, false
	}
	p, err := strconv.ParseFloat(strings.TrimSpace(s[:len(s)-1]), 64)
	if err != nil || p <= 0 || p > 1000 {
		return 0, false
	}
	return p, true
}

// Kind names the target's metric: "concurrency", "rps", "cpu" or "".
func (t ScaleTarget) Kind() string {
	switch {
	case t.Concurrency != 0:
		return "concurrency"
	case t.RPS != 0:
		return "rps"
	case t.CPU != "":
		return "cpu"
	}
	return ""
}

func (s *Scale) applyDefaults() {
	orDefault(&s.IdleAfter, DefaultIdleAfter)
	orDefault(&s.Stabilization.Down, DefaultStabilizationDown)
}

// scale checks a service's scale section against the rest of it.
func (v *validator) scale(p string, s *Service) {
	sc := s.Scale
	if sc == nil {
		return
	}
	path := p + ".scale"
	if v.set(p + ".instances") {
		v.addf(p+".instances", "set either instances or scale, not both: scale sets the count between scale.min and scale.max")
	}
	if sc.Min < 0 {
		v.addf(path+".min", "must be >= 0 (0 scales to zero when idle), got %d", sc.Min)
	}
	if sc.Max < 1 {
		v.addf(path+".max", "must be >= 1, got %d", sc.Max)
	} else if sc.Min > sc.Max {
		v.addf(path+".min", "must be <= max (%d), got %d", sc.Max, sc.Min)
	}
	v.instances(path+".max", &sc.Max)
	v.scaleTarget(path+".target", sc.Target)
	v.nonNegative(path+".idleAfter", sc.IdleAfter)
	v.nonNegative(path+".stabilization.up", sc.Stabilization.Up)
	v.nonNegative(path+".stabilization.down", sc.Stabilization.Down)
	v.scaleWindows(path, sc)
	if sc.Min == 0 && s.Route.Host == "" && s.Route.Path == "" {
		v.addf(path+".min", "0 needs a route (route.host or route.path): the router holds the request that wakes a scaled-to-zero service, and without a route nothing could wake it; set min: 1 or add a route")
	}
}

// scaleWindows checks the windows and panic threshold: each zero when
// absent (the default), within Knative's bounds when written.
func (v *validator) scaleWindows(path string, sc *Scale) {
	stable := sc.StableWindow.Duration
	if stable != 0 || v.set(path+".stableWindow") {
		if stable < minStableWindow || stable > maxStableWindow {
			v.addf(path+".stableWindow", "must be between %s and %s, like 60s (the load is averaged over it); got %s",
				Duration{Duration: minStableWindow}, Duration{Duration: maxStableWindow}, sc.StableWindow)
		}
	} else {
		stable = DefaultStableWindow
	}
	if p := sc.PanicWindow.Duration; p != 0 || v.set(path+".panicWindow") {
		if p < minPanicWindow || p > stable {
			v.addf(path+".panicWindow", "must be between %s and the stable window (%s), like 6s; got %s",
				Duration{Duration: minPanicWindow}, Duration{Duration: stable}, sc.PanicWindow)
		}
	}
	if t := sc.PanicThreshold; t != 0 || v.set(path+".panicThreshold") {
		if t < minPanicThreshold || t > maxPanicThreshold {
			v.addf(path+".panicThreshold", "must be between %g and %g times the instances running, like 2 (Knative's 200%%); got %g",
				minPanicThreshold, maxPanicThreshold, t)
		}
	}
}

func (v *validator) scaleTarget(path string, t ScaleTarget) {
	n := 0
	if t.Concurrency != 0 || v.set(path+".concurrency") {
		n++
		if t.Concurrency <= 0 {
			v.addf(path+".concurrency", "must be > 0 requests in flight per instance, like 10; got %g", t.Concurrency)
		}
	}
	if t.RPS != 0 || v.set(path+".rps") {
		n++
		if t.RPS <= 0 {
			v.addf(path+".rps", "must be > 0 requests per second per instance, like 200; got %g", t.RPS)
		}
	}
	if t.CPU != "" || v.set(path+".cpu") {
		n++
		if _, ok := t.CPUPercent(); !ok {
			v.addf(path+".cpu", "must be a percentage of a core (or of resources.cpu) in (0%%, 1000%%], like \"70%%\"; got %q", t.CPU)
		}
	}
	if n != 1 {
		v.addf(path, "set exactly one of concurrency, rps or cpu, like {concurrency: 10}, {rps: 200} or {cpu: \"70%%\"}")
	}
}

// String is the target as written, for reasons and status.
func (t ScaleTarget) String() string {
	switch t.Kind() {
	case "concurrency":
		return fmt.Sprintf("concurrency %g", t.Concurrency)
	case "rps":
		return fmt.Sprintf("rps %g", t.RPS)
	case "cpu":
		return "cpu " + t.CPU
	}
	return "none"
}
