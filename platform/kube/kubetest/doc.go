// Package kubetest runs a real Kubernetes API server for tests:
// controller-runtime's envtest with kube-apiserver and etcd built from Go
// modules by hack/envtest.sh (found through KUBEBUILDER_ASSETS), Gateway
// API's CRDs installed from the pinned module. No kubelet or
// controller-manager runs: tests play them by writing statuses through
// the API (SetAvailable), as kwok does.
package kubetest
