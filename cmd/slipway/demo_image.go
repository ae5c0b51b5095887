package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"

	"github.com/slipway-dev/slipway/image/imagetest"
)

// imageService is a third service of the demo app, run from an OCI image;
// %s is the image reference.
const imageService = `  catalog:
    image: %s
    command: ["/order", "--name", "catalog", "--port", "${PORT}"]
    env: {VERSION: v1}
    instances: 2
    resources: {memory: 64Mi, pids: 64}
    health:
      readiness: {http: /healthz, interval: 1s}
    route: {host: catalog.localhost}
`

// imageStory shows a service run from an image: the example app built
// into one here, served by a registry on loopback (no registry on the
// internet), deployed beside the process services. It needs runc and
// root; without them the demo says so and skips it.
func (d *demo) imageStory(ctx context.Context) error {
	if why := noContainers(); why != "" {
		d.say("Skipping the container part: %s. Services without image: run as processes, as above.", why)
		return nil
	}
	d.say("Bonus: run a service from an OCI image. The demo builds an image of the example app,\n" +
		"    serves it from a registry on loopback, and adds a catalog service with `image:`;\n" +
		"    the server pulls it, pins its digest, and runs each instance as a container (runc)")
	ref, stop, err := demoImage()
	if err != nil {
		d.say("Skipping the container part: could not build the image (the demo builds it with the go\n"+
			"    command, from the module it runs in: go run ./cmd/slipway demo): %v", err)
		return nil
	}
	defer stop()
	spec, err := d.writeSpec("v2", "")
	if err != nil {
		return err
	}
	text, err := os.ReadFile(spec)
	if err != nil {
		return err
	}
	if err := os.WriteFile(spec, append(text, fmt.Sprintf(imageService, ref)...), 0o644); err != nil {
		return err
	}
	d.slipway(ctx, "plan", "-f", spec)
	if d.slipway(ctx, "apply", "-f", spec, "--wait") != 0 {
		return errors.New("the catalog service, run from an image, did not deploy")
	}
	d.slipway(ctx, "status", "catalog")
	d.showInstances(ctx)
	return ctx.Err()
}

// noContainers says why this machine cannot run containers, or "".
func noContainers() string {
	if _, err := exec.LookPath("runc"); err != nil {
		return "runc is not installed (apt-get install runc)"
	}
	if os.Geteuid() != 0 {
		return "containers need the server to run as root"
	}
	return ""
}

// demoImage builds an image of the example app (examples/order, built
// static with the go command: the demo runs from its module) and serves
// it from a registry on loopback; stop closes the registry.
func demoImage() (ref string, stop func(), err error) {
	app, err := imagetest.Program("github.com/slipway-dev/slipway/examples/order", "order")
	if err != nil {
		return "", nil, err
	}
	l, err := imagetest.Layer(app)
	if err != nil {
		return "", nil, err
	}
	img, err := imagetest.Image(imagetest.Options{Entrypoint: []string{"/order"}}, l)
	if err != nil {
		return "", nil, err
	}
	reg := imagetest.Serve("", "")
	ref, err = reg.Tag("demo/shop", "v1", img)
	if err != nil {
		reg.Close()
		return "", nil, err
	}
	return ref, reg.Close, nil
}
