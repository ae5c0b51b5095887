package kube

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/slipway-dev/slipway/router"
)

// BenchmarkInformerMemory1000Services measures the target
// "server memory with an informer cache of 1,000 services: under 150 MB":
// 1,000 services written as the Cluster writes them (a Deployment, its
// revision Service, the stable Service, the HTTPRoute: 4,000 objects,
// more than the 3,000), then a second Cluster's informers
// (Watched, as the server opens one) sync them. It reports the heap in
// use after a GC before and after the sync (informersMB: the cache's
// share), and the test process's resident size (VmRSS; the whole test
// binary, an upper bound of a server's share).
//
//	go test ./platform/kube -run '^$' -bench InformerMemory -benchtime 1x
func BenchmarkInformerMemory1000Services(b *testing.B) { informerMemory(b, false) }

// BenchmarkInformerMemory1000AutoscaledServices is the same with each
// revision autoscaled: a HorizontalPodAutoscaler each too, with the
// status its controller writes (a CPU metric, three conditions), which
// the informers now hold for status and the decisions' records.
//
//	go test ./platform/kube -run '^$' -bench InformerMemory1000Autoscaled -benchtime 1x
func BenchmarkInformerMemory1000AutoscaledServices(b *testing.B) { informerMemory(b, true) }

func informerMemory(b *testing.B, autoscaled bool) {
	cfg := sharedEnv(b)
	c, _ := newClient(b, cfg)
	ctx := context.Background()
	b.StopTimer()
	for range b.N {
		ns := fmt.Sprintf("memory-%d", nsCount.Add(1))
		if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
			b.Fatal(err)
		}
		t := Target{App: "shop", Env: "prod", Namespace: ns, Gateway: target.Gateway}
		writer, err := Watched(cfg, t)
		if err != nil {
			b.Fatal(err)
		}
		write1000(b, writer, autoscaled)
		if autoscaled {
			hpaStatus1000(b, c, ns)
		}
		before := heapAfterGC()
		b.StartTimer()

		k, err := Watched(cfg, t)
		if err != nil {
			b.Fatal(err)
		}
		wctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- k.Watch(wctx, nil) }()
		for !k.Synced() {
			runtime.Gosched()
		}
		b.StopTimer()
		ds, err := k.Revisions(ctx, "")
		if err != nil || len(ds) != 1000 {
			b.Fatalf("the cache holds %d Deployments (%v), want 1000", len(ds), err)
		}
		if hs, err := k.Autoscalers(ctx, ""); autoscaled && (err != nil || len(hs) != 1000 || hs[0].Desired != 4) {
			b.Fatalf("the cache holds %d HPAs (%v), want 1000 with their status", len(hs), err)
		}
		after := heapAfterGC()
		b.ReportMetric(float64(after)/1e6, "heapMB")
		b.ReportMetric(float64(after-before)/1e6, "informersMB")
		b.ReportMetric(float64(vmRSS(b))/1e6, "rssMB")
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			b.Fatal(err)
		}
	}
}

// write1000 writes 1,000 services' objects, 16 at a time (with an HPA
// each when autoscaled).
func write1000(b *testing.B, k *Cluster, autoscaled bool) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	errs := make([]error, 1000)
	for s := range 1000 {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			r := orderRevision()
			if autoscaled {
				r = scaledRevision()
				r.Replicas, r.Autoscaled = 2, true
			}
			r.Service = fmt.Sprintf("svc%04d", s)
			errs[s] = errors.Join(k.ApplyRevision(context.Background(), r),
				k.ApplyRoute(context.Background(), router.Route{Service: r.Service, Host: r.Service + ".example.com", Weights: map[int]int{3: 100}}))
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		b.Fatal(err)
	}
}

func heapAfterGC() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// vmRSS is this process's resident size, from /proc/self/status.
func vmRSS(b *testing.B) uint64 {
	st, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for _, l := range strings.Split(string(st), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb << 10
		}
	}
	b.Fatal("no VmRSS in /proc/self/status")
	return 0
}

// hpaStatus1000 writes every HPA of namespace ns the status its
// controller would (2 -> 4 instances on CPU, three conditions), 16 at a
// time.
func hpaStatus1000(b *testing.B, c client.Client, ns string) {
	var l autoscalingv2.HorizontalPodAutoscalerList
	if err := c.List(context.Background(), &l, client.InNamespace(ns)); err != nil || len(l.Items) != 1000 {
		b.Fatalf("%d HPAs (%v), want 1000", len(l.Items), err)
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	errs := make([]error, len(l.Items))
	cpu := int32(140)
	now := metav1.Now()
	for i := range l.Items {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			h := &l.Items[i]
			h.Status = autoscalingv2.HorizontalPodAutoscalerStatus{CurrentReplicas: 2, DesiredReplicas: 4, LastScaleTime: &now,
				CurrentMetrics: []autoscalingv2.MetricStatus{{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricStatus{
					Name: corev1.ResourceCPU, Current: autoscalingv2.MetricValueStatus{AverageUtilization: &cpu, AverageValue: resource.NewMilliQuantity(700, resource.DecimalSI)}}}},
				Conditions: []autoscalingv2.HorizontalPodAutoscalerCondition{
					{Type: autoscalingv2.AbleToScale, Status: corev1.ConditionTrue, Reason: "SucceededRescale", Message: "the HPA controller was able to update the target scale to 4", LastTransitionTime: now},
					{Type: autoscalingv2.ScalingActive, Status: corev1.ConditionTrue, Reason: "ValidMetricFound", Message: "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)", LastTransitionTime: now},
					{Type: autoscalingv2.ScalingLimited, Status: corev1.ConditionFalse, Reason: "DesiredWithinRange", Message: "the desired count is within the acceptable range", LastTransitionTime: now}}}
			errs[i] = c.Status().Update(context.Background(), h)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		b.Fatal(err)
	}
}
