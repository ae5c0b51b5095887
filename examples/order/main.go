package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/slipway-dev/slipway/examples/shop"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "order:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("order", flag.ContinueOnError)
	port := fs.Int("port", 8080, "port to listen on (127.0.0.1)")
	name := fs.String("name", "order", "service name to report")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o, err := shop.FromEnv(*name)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	return shop.Serve(ctx, o, *port)
}
