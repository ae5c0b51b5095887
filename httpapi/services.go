package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/rollout"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// serviceView reads one service with its instances and target revision.
func serviceView(tx store.Tx, svc store.Service) (api.Service, error) {
	out := api.Service{Name: svc.Name, Revision: svc.Revision, Stable: svc.Stable, Phase: string(svc.Phase),
		Message: svc.Message, Removed: svc.Removed, Instances: []api.Instance{}}
	if t := svc.Traffic; t.Active != 0 {
		out.Traffic = &api.Traffic{Active: t.Active, Preview: t.Preview, PreviewHeader: t.PreviewHeader, PreviewSecret: t.PreviewSecret, Kept: svc.Keep,
			Canary: t.Canary, Weight: t.Weight, CanaryHeader: t.CanaryHeader, Mirror: t.Mirror, MirrorPercent: t.MirrorPercent}
	}
	if c := svc.Canary; c != nil {
		rev, err := tx.GetRevision(svc.Name, c.Revision)
		if err != nil {
			return out, fmt.Errorf("canary revision %d of %s: %w", c.Revision, svc.Name, err)
		}
		out.Canary = canaryView(c, rev.Spec.Strategy.Canary)
	}
	if p := svc.ParallelRun; p != nil {
		rev, err := tx.GetRevision(svc.Name, p.Revision)
		if err != nil {
			return out, fmt.Errorf("parallel run revision %d of %s: %w", p.Revision, svc.Name, err)
		}
		out.ParallelRun = parallelRunView(p, rev.Spec.Strategy.ParallelRun)
	}
	ins, err := tx.ListInstances(svc.Name)
	if err != nil {
		return out, err
	}
	if svc.Revision != 0 {
		rev, err := tx.GetRevision(svc.Name, svc.Revision)
		if err != nil {
			return out, err
		}
		if !svc.Removed {
			out.Desired, _ = rollout.TargetReplicas(svc, rev, ins)
			out.Scaled = svc.Scale != nil && rev.Spec.Scale == nil
		}
		out.Autoscale = autoscaleView(svc, rev.Spec.Scale, rev.Number)
		if a := rev.Spec.Artifact; a != nil {
			out.Version = a.Version
		}
		out.Route = strings.Join(rev.Spec.Route.AllHosts(), ",") + rev.Spec.Route.Path
		out.Strategy = strategyName(rev.Spec.Strategy)
	}
	for _, in := range ins {
		ai := toInstance(in)
		if ai.Ready && in.Revision == svc.Revision {
			out.Ready++
		}
		out.Instances = append(out.Instances, ai)
	}
	return out, nil
}

// withPods puts a platform's own instances (Kubernetes pods) on a
// service view, where the store has none.
func withPods(r *http.Request, pods Pods, v *api.Service) error {
	if pods == nil {
		return nil
	}
	ins, err := pods.Instances(r.Context(), v.Name)
	if err != nil {
		return err
	}
	v.Instances, v.Ready = append([]api.Instance{}, ins...), 0
	for _, in := range ins {
		if in.Ready && in.Revision == v.Revision {
			v.Ready++
		}
	}
	if v.Autoscale == nil {
		return nil
	}
	hpas, err := pods.Autoscalers(r.Context(), v.Name)
	if err != nil {
		return err
	}
	v.Autoscale.HPA = sizing(hpas, v.Revision)
	return nil
}

// sizing picks the autoscaler that sizes a service: its target
// revision's, else (a canary's stable keeps its HPA while the candidate
// is sized by Slipway) the latest revision's; nil when none.
func sizing(hpas []api.HPA, target int) *api.HPA {
	var out *api.HPA
	for i := range hpas {
		if out == nil || hpas[i].Revision == target || (out.Revision != target && hpas[i].Revision > out.Revision) {
			out = &hpas[i]
		}
	}
	return out
}

func (h *handler) services(w http.ResponseWriter, r *http.Request) {
	out := []api.Service{}
	err := h.in(r).Store.View(r.Context(), func(tx store.Tx) error {
		svcs, err := tx.ListServices()
		if err != nil {
			return err
		}
		for _, svc := range svcs {
			v, err := serviceView(tx, svc)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		return nil
	})
	for i := range out {
		if err == nil {
			err = withPods(r, h.in(r).Pods, &out[i])
		}
	}
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *handler) service(w http.ResponseWriter, r *http.Request) {
	var out api.Service
	err := h.in(r).Store.View(r.Context(), func(tx store.Tx) error {
		svc, err := getService(tx, r.PathValue("name"))
		if err != nil {
			return err
		}
		out, err = serviceView(tx, svc)
		return err
	})
	if err == nil {
		err = withPods(r, h.in(r).Pods, &out)
	}
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// getService names the service in its not-found error, and lists the
// services that do exist.
func getService(tx store.Tx, name string) (store.Service, error) {
	svc, err := tx.GetService(name)
	if !errors.Is(err, store.ErrNotFound) {
		return svc, err
	}
	svcs, _ := tx.ListServices()
	names := make([]string, 0, len(svcs))
	for _, s := range svcs {
		names = append(names, s.Name)
	}
	return svc, store.NotFoundf("service %q does not exist (services: %v)", name, names)
}

func (h *handler) revisions(w http.ResponseWriter, r *http.Request) {
	out := []api.Revision{}
	err := h.in(r).Store.View(r.Context(), func(tx store.Tx) error {
		name := r.PathValue("name")
		revs, err := tx.ListRevisions(name)
		if err != nil {
			return err
		}
		svc, err := getService(tx, name)
		if err != nil && len(revs) == 0 {
			return err
		}
		for _, rev := range revs {
			out = append(out, toRevision(rev, svc.Revision))
		}
		return nil
	})
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// strategyName names a spec's release strategy as the spec spells it.
func strategyName(st spec.Strategy) string {
	switch {
	case st.Canary != nil:
		return "canary"
	case st.ParallelRun != nil:
		return "parallelRun"
	case st.BlueGreen != nil:
		return "blueGreen"
	}
	return "rolling"
}

// autoscaleView is a service's autoscaling, when its target revision
// rev has a scale section sc.
func autoscaleView(svc store.Service, sc *spec.Scale, rev int) *api.Autoscale {
	if sc == nil {
		return nil
	}
	out := &api.Autoscale{Min: sc.Min, Max: sc.Max, Target: sc.Target.String(), ScaledToZero: svc.Autoscale.ScaledToZero(rev) && !svc.Removed}
	if a := svc.Autoscale; a != nil {
		out.Reason, out.ChangedAt = a.Reason, a.ChangedAt
	}
	return out
}
