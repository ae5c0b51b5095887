package spec

import (
	"strings"
	"testing"
)

const hexDigest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestParseImage(t *testing.T) {
	for _, tc := range []struct {
		ref, digest, err string
	}{
		{"order", "", ""},
		{"registry.example/shop/order", "", ""},
		{"127.0.0.1:5000/shop/order:v1", "", ""},
		{"shop/order@" + hexDigest, hexDigest, ""},
		{"shop/order:v1@" + hexDigest, hexDigest, ""},
		{"shop/order@sha256:abc", "", "invalid image"},
		{"Shop/Order", "", "invalid image reference"},
		{"shop/order:", "", "invalid image reference"},
		{"", "", "invalid image reference"},
	} {
		d, err := ParseImage(tc.ref)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseImage(%q) = %q, %v; want error with %q", tc.ref, d, err, tc.err)
			}
			continue
		}
		if err != nil || d != tc.digest {
			t.Errorf("ParseImage(%q) = %q, %v; want %q", tc.ref, d, err, tc.digest)
		}
	}
}

func TestPinImage(t *testing.T) {
	for ref, want := range map[string]string{
		"shop/order":              "shop/order@" + hexDigest,
		"shop/order:v1":           "shop/order:v1@" + hexDigest,
		"shop/order:v1@sha256:00": "shop/order:v1@" + hexDigest,
	} {
		if got := PinImage(ref, hexDigest); got != want {
			t.Errorf("PinImage(%q) = %q, want %q", ref, got, want)
		}
		if got := ImageDigest(PinImage(ref, hexDigest)); got != hexDigest {
			t.Errorf("ImageDigest(PinImage(%q)) = %q", ref, got)
		}
	}
}

func TestImageService(t *testing.T) {
	app, err := Parse("slipway.yaml", []byte(imageBase+"shop/web:v1\n    command: [/web, --port, '${PORT}']\n"))
	if err != nil {
		t.Fatal(err)
	}
	w := app.Services["web"]
	if !w.RunsImage() || w.Image != "shop/web:v1" || len(w.Run) != 0 || strings.Join(w.Command, " ") != "/web --port ${PORT}" {
		t.Fatalf("web = %+v", w)
	}
	c := w.Clone()
	c.Command[0] = "/other"
	if w.Command[0] != "/web" {
		t.Error("Clone shares Command")
	}
}

// An environment's override that writes one kind of program replaces
// the base's other kind: dev runs a command, prod an image, or the
// reverse; only both in one place is refused.
func TestOverrideSwitchesProgram(t *testing.T) {
	const envs = "environments:\n  dev: {}\n  prod:\n    from: dev\n    overrides:\n      services:\n        web: "
	for _, tc := range []struct {
		name, base, over string
		image            string
		run              string
		err              string
	}{
		{"run to image", web + "    artifact: {path: ./web, digest: " + hexDigest + "}\n", "{image: shop/web:v1}", "shop/web:v1", "", ""},
		{"image to run", imageBase + "shop/web:v1\n    command: [/web]\n", "{run: [./web]}", "", "./web", ""},
		{"image kept", imageBase + "shop/web:v1\n", "{instances: 2}", "shop/web:v1", "", ""},
		{"both in override", web, "{image: shop/web:v1, run: [./x]}", "", "", "services.web.run: a service runs an image"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app, err := ParseWith("slipway.yaml", []byte(tc.base+envs+tc.over+"\n"), Options{Environment: "prod"})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			w := app.Services["web"]
			if w.Image != tc.image || strings.Join(w.Run, " ") != tc.run || (tc.image != "" && w.Artifact != nil) {
				t.Fatalf("web = %+v", w)
			}
		})
	}
}
