package spec

import "time"

// maxHPAWindow is a HorizontalPodAutoscaler's longest stabilization
// window (the API server refuses more).
const maxHPAWindow = time.Hour

// kubeScale checks a scale section for a Kubernetes environment, where
// it becomes a HorizontalPodAutoscaler per revision (platform/kube's
// HPA): one on CPU, from 1 instance up, with its windows. What only
// Slipway's router can measure or do is refused, saying why.
func kubeScale(p string, sc *Scale, add func(path, msg string)) {
	if sc == nil {
		return
	}
	p += ".scale"
	if sc.Min == 0 {
		add(p+".min", "0 (scale to zero) needs Slipway's router to hold the request that wakes the service, and a HorizontalPodAutoscaler cannot scale to zero without the HPAScaleToZero feature gate: set min: 1 or more here")
	}
	switch sc.Target.Kind() {
	case "concurrency", "rps":
		add(p+".target."+sc.Target.Kind(), "a HorizontalPodAutoscaler scales on requests only through a metrics adapter (custom metrics API), and Slipway's router, which counts them, is not in a Kubernetes environment's path: use target: {cpu: \"70%\"} here")
	}
	for _, w := range []struct {
		name string
		d    Duration
	}{{"up", sc.Stabilization.Up}, {"down", sc.Stabilization.Down}} {
		if w.d.Duration > maxHPAWindow {
			add(p+".stabilization."+w.name, "a HorizontalPodAutoscaler's stabilization window is at most 1h, got "+w.d.String())
		}
	}
	for _, f := range []struct {
		name string
		set  bool
	}{{"stableWindow", sc.StableWindow.Duration != 0}, {"panicWindow", sc.PanicWindow.Duration != 0}, {"panicThreshold", sc.PanicThreshold != 0}} {
		if f.set {
			add(p+"."+f.name, "Slipway's autoscaler windows do not apply in a Kubernetes environment, where a HorizontalPodAutoscaler scales (its controller's sync period and tolerance): leave "+f.name+" out here, and tune stabilization instead")
		}
	}
}
