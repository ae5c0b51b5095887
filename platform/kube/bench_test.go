package kube

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/slipway-dev/slipway/platform/kube/kubetest"
	"github.com/slipway-dev/slipway/router"
)

// BenchmarkApply100Services measures the issue's target "from apply to
// every object written for 100 services: under 5 s" on envtest's real
// API server: 100 services' Deployment, revision Service, stable Service
// and HTTPRoute (400 server-side applies), into a fresh namespace per
// iteration, through a Cluster opened as the server opens one (Watched,
// with kubeconfig's client defaults: no client-side rate limit), by
// 1, 4 or 16 passes at a time (a Kubernetes environment's server runs
// 16 queue workers). It reports the requests sent per iteration.
//
//	go test ./platform/kube -run '^$' -bench Apply100 -benchtime 3x
func BenchmarkApply100Services(b *testing.B) {
	for _, par := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("%d-at-a-time", par), func(b *testing.B) { apply100(b, par) })
	}
}

// apply100 applies 100 services, par at a time (as the server's queue
// workers do, one service's pass each).
func apply100(b *testing.B, par int) {
	cfg := sharedEnv(b)
	c, _ := newClient(b, cfg)
	cfg.QPS, cfg.Burst = 0, 0 // as a kubeconfig gives it (envtest's is 1000)
	counted, n := kubetest.Counting(cfg)
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		ns := fmt.Sprintf("bench-%d-%d", nsCount.Add(1), i)
		if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
			b.Fatal(err)
		}
		k, err := Watched(counted, Target{App: "shop", Env: "prod", Namespace: ns, Gateway: target.Gateway})
		if err != nil {
			b.Fatal(err)
		}
		if err := k.ApplyRoute(ctx, router.Route{Service: "warm", Weights: map[int]int{3: 100}}); err != nil {
			b.Fatal(err) // the REST mapper's discovery, once per server, is not the apply's
		}
		n.Store(0)
		b.StartTimer()
		var wg sync.WaitGroup
		sem := make(chan struct{}, par)
		errs := make([]error, 100)
		for s := range 100 {
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				r := orderRevision()
				r.Service = fmt.Sprintf("svc%03d", s)
				errs[s] = errors.Join(k.ApplyRevision(ctx, r),
					k.ApplyRoute(ctx, router.Route{Service: r.Service, Weights: map[int]int{3: 100}}))
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n.Load()), "requests/op")
	}
}
