// Package main, the command etcd, is etcd's server, built from its Go module for envtest:
// the same entry point as etcd's own main package.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
