package rollout

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

const imgDigest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// images is an image store of fixed unpacked images, by reference.
type images map[string]UnpackedImage

func (m images) Unpack(_ context.Context, ref string) (UnpackedImage, error) {
	img, ok := m[ref]
	if !ok {
		return UnpackedImage{}, errors.New("manifest unknown")
	}
	return img, nil
}

func TestInstanceSpecOfImage(t *testing.T) {
	ref := "shop/order:v1@" + imgDigest
	unpacked := UnpackedImage{Digest: imgDigest, Rootfs: "/data/images/rootfs/x", Entrypoint: []string{"/order"}, Cmd: []string{"--verbose"},
		Env: []string{"PATH=/usr/bin", "GREETING=image", "LANG=C", "broken"}, User: "65532", WorkingDir: "/srv"}
	c := New(Config{Images: images{ref: unpacked, "shop/bare@" + imgDigest: {Digest: imgDigest}}, BaseEnv: map[string]string{"PATH": "/host/bin"}, Environment: "prod"})
	defer c.Close()
	in := store.Instance{ID: "order-1-abc", Service: "order", Revision: 1, Port: 7001}
	for _, tc := range []struct {
		name    string
		svc     spec.Service
		command string
		err     string
	}{
		{"entrypoint and cmd", spec.Service{Image: ref, Env: map[string]string{"GREETING": "spec"}}, "/order --verbose", ""},
		{"command expands", spec.Service{Image: ref, Command: []string{"/order", "--port", "${PORT}", "${LANG}"}}, "/order --port 7001 C", ""},
		{"a tag", spec.Service{Image: "shop/order:v1"}, "", "is a tag, not a digest"},
		{"unknown", spec.Service{Image: "shop/gone@" + imgDigest}, "", "image shop/gone@" + imgDigest + ": manifest unknown"},
		{"no entrypoint", spec.Service{Image: "shop/bare@" + imgDigest}, "", "neither an entrypoint nor a cmd: give the service command:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is, err := c.instanceSpec(t.Context(), in, store.Revision{Service: "order", Number: 1, Spec: tc.svc})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(is.Command, " "); got != tc.command {
				t.Errorf("command = %q, want %q", got, tc.command)
			}
			if is.Image == nil || is.Image.Digest != imgDigest || is.Image.Rootfs != unpacked.Rootfs || is.Image.User != "65532" || is.Image.WorkingDir != "/srv" {
				t.Errorf("image = %+v", is.Image)
			}
			// The image's env under the spec's under Slipway's; the host's PATH not at all.
			if is.Env["PATH"] != "/usr/bin" || is.Env["PORT"] != "7001" || is.Env["SLIPWAY_ENVIRONMENT"] != "prod" || is.Env["broken"] != "" {
				t.Errorf("env = %v", is.Env)
			}
			if want := map[bool]string{true: "spec", false: "image"}[tc.svc.Env != nil]; is.Env["GREETING"] != want {
				t.Errorf("GREETING = %q, want %q", is.Env["GREETING"], want)
			}
		})
	}
}

func TestInstanceSpecWithoutImageStore(t *testing.T) {
	c := New(Config{})
	defer c.Close()
	_, err := c.instanceSpec(t.Context(), store.Instance{ID: "a-1-x", Service: "a", Revision: 1}, store.Revision{Spec: spec.Service{Image: "a@" + imgDigest}})
	if !errors.Is(err, errNoImages) {
		t.Fatalf("err = %v", err)
	}
	is, err := c.instanceSpec(t.Context(), store.Instance{ID: "a-1-x", Service: "a", Revision: 1}, store.Revision{Spec: spec.Service{Run: []string{"./a"}}})
	if err != nil || is.Image != nil || !slices.Equal(is.Command, []string{"./a"}) {
		t.Fatalf("a command: %+v, %v", is, err)
	}
}

// A revision whose image cannot be had fails its rollout at once, not
// at its progress deadline: no restart would fix it. The stable revision
// keeps running throughout.
func TestImageThatCannotRunFailsAtOnce(t *testing.T) {
	h, _ := converged(t)
	before := pids(h.instances("order"))
	spec := strings.Replace(shopV1, `run: ["./order", "--port", "${PORT}"]`, "image: shop/gone@"+imgDigest, 1)
	op := h.apply(spec)
	got := h.operation(op.ID)
	if got.State != store.OperationRolledBack {
		t.Fatalf("without waiting for the 30s deadline: %s, want RolledBack", got.State)
	}
	if f := got.Failure; f == nil || f.Service != "order" || !strings.Contains(f.Reason, "image shop/gone@"+imgDigest+": manifest unknown") {
		t.Fatalf("failure %+v: want order's instance and the image's error", got.Failure)
	}
	if after := pids(h.instances("order")); after != before {
		t.Fatalf("order's stable instances changed: %s -> %s", before, after)
	}
	if svc := h.service("order"); svc.Revision != 1 || svc.Phase != store.PhaseReady {
		t.Fatalf("order at revision %d %s, want 1 Ready", svc.Revision, svc.Phase)
	}
}
