package httpapi

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/image"
	"github.com/slipway-dev/slipway/image/imagetest"
	"github.com/slipway-dev/slipway/store"
)

// newImageAPI is a test API with an image store.
func newImageAPI(t *testing.T) *testAPI {
	imgs, err := image.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return newTestAPIWith(t, func(c *Config) { c.Images = imgs })
}

// testImage builds a small image whose one file says which it is.
func testImage(t *testing.T, opts imagetest.Options, body string) v1.Image {
	t.Helper()
	l, err := imagetest.Layer(imagetest.File{Name: "srv", Body: []byte(body)})
	if err != nil {
		t.Fatal(err)
	}
	img, err := imagetest.Image(opts, l)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func digestOf(t *testing.T, img v1.Image) string {
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}

const imageSpec = "app: shop\nservices:\n  order:\n    image: %s\n    instances: 2\n"

// apply of a tag pins the digest the registry gives; plan shows the
// digest a moved tag now names; images that cannot be pulled are
// problems at the image's line, and nothing is stored.
func TestApplyPinsImages(t *testing.T) {
	reg := imagetest.Serve("", "")
	defer reg.Close()
	a := newImageAPI(t)
	one, two := testImage(t, imagetest.Options{Entrypoint: []string{"/srv"}}, "1"), testImage(t, imagetest.Options{Entrypoint: []string{"/srv"}}, "2")
	tag, err := reg.Tag("shop/order", "v1", one)
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct{ ref, want string }{
		"unknown image":      {reg.Host + "/shop/nope:v1", "image not found in the registry"},
		"unknown tag":        {reg.Host + "/shop/order:v9", "check the name and tag"},
		"other architecture": {"", "build the image for linux/"},
		"nothing to run":     {"bare", "has neither an entrypoint nor a cmd: give the service command:"},
	} {
		t.Run(name, func(t *testing.T) {
			ref := tc.ref
			if ref == "bare" {
				ref, err = reg.Tag("shop/bare", "v1", testImage(t, imagetest.Options{}, "x"))
				if err != nil {
					t.Fatal(err)
				}
			}
			if ref == "" {
				ref, err = reg.Tag("shop/arm", "v1", testImage(t, imagetest.Options{Architecture: "s390x"}, "x"))
				if err != nil {
					t.Fatal(err)
				}
			}
			resp, body := a.do(t, "POST", "/v1/apply", "", api.ApplyRequest{File: "slipway.yaml", Spec: sprintf(imageSpec, ref)})
			if resp.StatusCode != 422 || !strings.Contains(string(body), tc.want) || !strings.Contains(string(body), `"line": 4`) ||
				!strings.Contains(string(body), "services.order.image") {
				t.Fatalf("status %d, body %s", resp.StatusCode, body)
			}
			a.nothingStored(t)
		})
	}
	resp, body := a.do(t, "POST", "/v1/apply", "", api.ApplyRequest{File: "slipway.yaml", Spec: sprintf(imageSpec, tag)})
	if resp.StatusCode != 201 {
		t.Fatalf("apply: %d %s", resp.StatusCode, body)
	}
	pinned := tag + "@" + digestOf(t, one)
	if got := revisionImage(t, a, 1); got != pinned {
		t.Fatalf("revision 1 runs %q, want %q", got, pinned)
	}
	// As the controller would: the service moves to revision 1.
	err = a.store.Update(t.Context(), func(tx store.Tx) error {
		return tx.PutService(store.Service{Name: "order", Revision: 1, Phase: store.PhaseProgressing})
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Tag("shop/order", "v1", two); err != nil {
		t.Fatal(err)
	}
	resp, body = a.do(t, "POST", "/v1/plan", "", api.ApplyRequest{File: "slipway.yaml", Spec: sprintf(imageSpec, tag)})
	if resp.StatusCode != 200 || !strings.Contains(string(body), digestOf(t, two)) || !strings.Contains(string(body), `"path": "image"`) {
		t.Fatalf("plan after the tag moved: %d %s", resp.StatusCode, body)
	}
	reg.Close()
	resp, body = a.do(t, "POST", "/v1/plan", "", api.ApplyRequest{File: "slipway.yaml", Spec: sprintf(imageSpec, tag)})
	if resp.StatusCode != 422 || !strings.Contains(string(body), "could not reach the registry") {
		t.Fatalf("plan with the registry down: %d %s", resp.StatusCode, body)
	}
	// Pinned to a digest the store holds, no registry is needed.
	resp, body = a.do(t, "POST", "/v1/plan", "", api.ApplyRequest{File: "slipway.yaml", Spec: sprintf(imageSpec, pinned)})
	if resp.StatusCode != 200 || strings.Contains(string(body), `"path": "image"`) {
		t.Fatalf("plan of the pinned image with the registry down: %d %s", resp.StatusCode, body)
	}
}

func sprintf(format, ref string) string { return strings.Replace(format, "%s", ref, 1) }

func revisionImage(t *testing.T, a *testAPI, n int) string {
	var rev store.Revision
	err := a.store.View(t.Context(), func(tx store.Tx) error {
		var err error
		rev, err = tx.GetRevision("order", n)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return rev.Spec.Image
}

// An image version is pulled by reference, or uploaded (a docker-save
// tarball, an OCI layout as a tar) and named by digest; either way it is
// recorded pinned.
func TestImageVersions(t *testing.T) {
	reg := imagetest.Serve("", "")
	defer reg.Close()
	a := newImageAPI(t)
	img := testImage(t, imagetest.Options{Entrypoint: []string{"/srv"}}, "pulled")
	tag, err := reg.Tag("shop/order", "v1", img)
	if err != nil {
		t.Fatal(err)
	}
	v := pushVersion(t, a, api.Version{Service: "order", Version: "v1", Image: tag}, 201)
	if v.Kind != "image" || v.Digest != digestOf(t, img) || v.Image != tag+"@"+v.Digest || v.Size == 0 || v.Path != "" {
		t.Fatalf("pushed %+v", v)
	}
	pushVersion(t, a, api.Version{Service: "order", Version: "v2", Image: reg.Host + "/shop/order:v404"}, 404)
	pushVersion(t, a, api.Version{Service: "order", Version: "v2", Image: tag, Digest: v.Digest}, 400)
	pushVersion(t, a, api.Version{Service: "order", Version: "v2", Image: "Not/Valid"}, 400)

	dir := t.TempDir()
	tarball, layout := filepath.Join(dir, "image.tar"), filepath.Join(dir, "layout")
	for i, write := range []func(v1.Image) (io.Reader, error){
		func(img v1.Image) (io.Reader, error) {
			err := imagetest.WriteTarball(tarball, img)
			return readFile(tarball), err
		},
		func(img v1.Image) (io.Reader, error) {
			err := imagetest.WriteLayout(layout, img)
			return tarDir(t, layout), err
		},
	} {
		up := testImage(t, imagetest.Options{Entrypoint: []string{"/srv"}}, "uploaded"+string(rune('0'+i)))
		body, err := write(up)
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("PUT", a.URL+"/v1/images?name=shop/order", body)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var got api.Image
		_ = json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		if resp.StatusCode != 201 || got.Digest != digestOf(t, up) || got.Ref != "shop/order@"+got.Digest {
			t.Fatalf("upload %d: %d %+v", i, resp.StatusCode, got)
		}
		reg.Close() // an uploaded image needs no registry
		v := pushVersion(t, a, api.Version{Service: "order", Version: "up" + string(rune('0'+i)), Image: got.Ref}, 201)
		if v.Kind != "image" || v.Image != got.Ref {
			t.Fatalf("version of upload %d: %+v", i, v)
		}
	}
	req, _ := http.NewRequest("PUT", a.URL+"/v1/images", strings.NewReader("not a tar"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("garbage upload: %d", resp.StatusCode)
	}
}

func pushVersion(t *testing.T, a *testAPI, v api.Version, status int) api.Version {
	t.Helper()
	resp, body := a.do(t, "POST", "/v1/versions", "", v)
	if resp.StatusCode != status {
		t.Fatalf("push %+v: %d %s, want %d", v, resp.StatusCode, body, status)
	}
	var out api.Version
	_ = json.Unmarshal(body, &out)
	return out
}

func readFile(path string) io.Reader {
	data, _ := os.ReadFile(path)
	return bytes.NewReader(data)
}

// tarDir writes a folder as a tar stream, as slipway artifact push
// --image-file does.
func tarDir(t *testing.T, dir string) io.Reader {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.AddFS(os.DirFS(dir).(fs.FS)); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf
}
