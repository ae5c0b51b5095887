// Package kube runs an environment's services in a Kubernetes cluster
// (spec: environments.X.platform.kubernetes).
//
// A revision N of service S is a Deployment S-rN with a Service of the
// same name (one per revision, so a route can weigh revisions), and
// each service has a stable Service S that selects every revision's
// pods: the one name in-cluster clients use, and the route's backend
// during a rolling update (where old and new pods share the traffic, as
// on one machine). Traffic goes through one Gateway API HTTPRoute per routed
// service, attached to the environment's Gateway: weighted backendRefs
// split it between revisions (canary, blue/green), header matches pin
// requests to one (canary header routes, blue/green preview). Every
// object carries the labels of Labels, and is written by server-side
// apply with field manager "slipway", never forced: a field another
// manager owns is a conflict the caller reports (ErrConflict), not a
// write.
//
// The package has two halves, as the rest of Slipway: objects.go and
// route.go build the objects from a revision and a traffic split (pure,
// table-tested); cluster.go writes and reads them (one server-side apply
// per object, errors classified by kind: unreachable, unauthorized,
// forbidden, namespace missing, Gateway API missing, conflict), and
// config.go finds the cluster as kubectl does. Cluster implements
// workload.Platform (platform.go), through which the rollout controller
// runs the same strategies as on one machine.
//
// Readiness is read from each Deployment's status (availableReplicas,
// updatedReplicas, observedGeneration), which the Deployment controller
// keeps from its pods' Ready conditions. The tests run a real API
// server with no kubelet or controller-manager (kubetest): they write
// that status themselves.
package kube
