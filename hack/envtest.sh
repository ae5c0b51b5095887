#!/usr/bin/env bash
# Builds the envtest binaries (kube-apiserver and etcd) from Go modules into
# a cache folder outside the repository, and prints that folder: the tests
# find it through KUBEBUILDER_ASSETS. controller-runtime's setup-envtest
# downloads prebuilt binaries, which cannot be fetched here, so they are
# built from source by the nested module hack/envtest (go.mod there keeps
# k8s.io/kubernetes out of the project's module).
#
# Cold: about 7 minutes on 2 cores (once per machine); cached: a stat.
#   export KUBEBUILDER_ASSETS=$(hack/envtest.sh)
#
# The cache folder is SLIPWAY_ENVTEST_DIR when set, else a folder per
# version under SLIPWAY_CACHE (CI's cache folder), else under
# ~/.cache/slipway: outside the checkout, so that a clean clone on the
# same machine finds the binaries again.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
kube=v1.37.2
etcd=v3.7.3
dir="${SLIPWAY_ENVTEST_DIR:-${SLIPWAY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/slipway}/envtest/kube-$kube-etcd-$etcd}"
if [ -x "$dir/kube-apiserver" ] && [ -x "$dir/etcd" ]; then
  echo "$dir"
  exit 0
fi
mkdir -p "$dir"
tmp="$(mktemp -d "$dir/.build-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
# Without the version variables the server reports v0.0.0-master, which
# clients (and controller-runtime's version checks) cannot parse.
pkgs="k8s.io/component-base/version k8s.io/client-go/pkg/version"
ld="-s -w"
for p in $pkgs; do
  ld="$ld -X $p.gitVersion=$kube -X $p.gitMajor=1 -X $p.gitMinor=37"
  ld="$ld -X $p.gitTreeState=clean -X $p.buildDate=2026-01-01T00:00:00Z"
done
cd "$here/envtest"
echo "envtest: building kube-apiserver $kube and etcd $etcd into $dir (about 7 minutes cold)" >&2
go build -trimpath -ldflags "$ld" -o "$tmp/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
go build -trimpath -ldflags "-s -w" -o "$tmp/etcd" ./etcd
mv "$tmp/kube-apiserver" "$tmp/etcd" "$dir/"
echo "$dir"
