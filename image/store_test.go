package image_test

import (
	"archive/tar"
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/slipway-dev/slipway/image"
	"github.com/slipway-dev/slipway/image/imagetest"
)

// mustImage builds an image of one layer of files.
func mustImage(t *testing.T, opts imagetest.Options, layers ...[]imagetest.File) v1.Image {
	t.Helper()
	var ls []v1.Layer
	for _, files := range layers {
		l, err := imagetest.Layer(files...)
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
	}
	img, err := imagetest.Image(opts, ls...)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// helloImage is a small image with an entrypoint, a user, a setuid file,
// and a file a second layer whites out.
func helloImage(t *testing.T) v1.Image {
	return mustImage(t, imagetest.Options{Entrypoint: []string{"/app/hello"}, Cmd: []string{"--port", "1"}, User: "1000", WorkingDir: "/app"},
		[]imagetest.File{
			{Name: "app/", Type: tar.TypeDir},
			{Name: "app/hello", Body: []byte("#!/bin/sh\n"), Mode: 0o755},
			{Name: "app/suid", Body: []byte("x"), Mode: 0o4755},
			{Name: "app/old", Body: []byte("gone")},
			{Name: "dev/null", Type: tar.TypeChar},
		},
		[]imagetest.File{{Name: "app/.wh.old", Body: nil}},
	)
}

func openStore(t *testing.T) *image.Store {
	t.Helper()
	s, err := image.Open(filepath.Join(t.TempDir(), "images"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPullByDigestStoresAndUnpacks(t *testing.T) {
	reg := imagetest.Serve("", "")
	defer reg.Close()
	img := helloImage(t)
	ref, err := reg.Push("shop/hello", img)
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t)
	got, err := s.Pull(context.Background(), ref)
	if err != nil {
		t.Fatalf("Pull: %v", err)
	}
	want, _ := img.Digest()
	if got.Digest != want.String() || got.Ref != ref || got.Size <= 0 {
		t.Fatalf("Pull = %+v, want digest %s from %s", got, want, ref)
	}
	if got.Config.User != "1000" || got.Config.WorkingDir != "/app" || got.Config.Architecture != runtime.GOARCH {
		t.Fatalf("config = %+v", got.Config)
	}
	if again, err := s.Get(got.Digest); err != nil || again.Digest != got.Digest || !s.Has(got.Digest) {
		t.Fatalf("Get = %+v, %v", again, err)
	}
	rootfs, cfg, err := s.Unpack(context.Background(), got.Digest)
	if err != nil {
		t.Fatalf("Unpack: %v", err)
	}
	if cfg.User != "1000" {
		t.Fatalf("Unpack config = %+v", cfg)
	}
	if data, err := os.ReadFile(filepath.Join(rootfs, "app/hello")); err != nil || string(data) != "#!/bin/sh\n" {
		t.Fatalf("app/hello = %q, %v", data, err)
	}
	if fi, err := os.Stat(filepath.Join(rootfs, "app/suid")); err != nil || fi.Mode()&os.ModeSetuid != 0 || fi.Mode().Perm() != 0o755 {
		t.Fatalf("app/suid = %v, %v; want 0755 without setuid", fi.Mode(), err)
	}
	for _, mp := range []string{"proc", "work", "etc/hosts", "etc/resolv.conf"} {
		if _, err := os.Lstat(filepath.Join(rootfs, mp)); err != nil {
			t.Errorf("mount point %s missing: %v", mp, err)
		}
	}
	for _, gone := range []string{"app/old", "app/.wh.old", "dev/null"} {
		if _, err := os.Lstat(filepath.Join(rootfs, gone)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s exists in the root filesystem (err %v)", gone, err)
		}
	}
}

func TestPullErrorsAreClassified(t *testing.T) {
	reg := imagetest.Serve("", "")
	other := "arm64"
	if runtime.GOARCH == "arm64" {
		other = "amd64"
	}
	foreign := mustImage(t, imagetest.Options{Entrypoint: []string{"/x"}, Architecture: other}, []imagetest.File{{Name: "x", Body: []byte("x")}})
	foreignRef, err := reg.Push("shop/foreign", foreign)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := imagetest.Index(foreign)
	if err != nil {
		t.Fatal(err)
	}
	foreignIdx, err := reg.PushIndex("shop/multi", "v1", idx)
	if err != nil {
		t.Fatal(err)
	}
	locked := imagetest.Serve("alice", "secret")
	defer locked.Close()
	s := openStore(t)
	down := imagetest.Serve("", "")
	down.Close()
	cases := []struct {
		ref  string
		want error
		says []string
	}{
		{reg.Host + "/shop/nothing:latest", image.ErrUnknown, nil},
		{locked.Host + "/shop/hello:latest", image.ErrUnauthorized, []string{"docker login"}},
		{down.Host + "/shop/hello:latest", image.ErrUnavailable, nil},
		{foreignRef, image.ErrArchitecture, []string{other, runtime.GOARCH}},
		{foreignIdx, image.ErrArchitecture, []string{other, runtime.GOARCH}},
		{"Not A Ref", image.ErrInvalid, nil},
	}
	for _, c := range cases {
		_, err := s.Pull(context.Background(), c.ref)
		if !errors.Is(err, c.want) {
			t.Errorf("Pull(%s) = %v, want %v", c.ref, err, c.want)
			continue
		}
		for _, w := range c.says {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("Pull(%s) = %q, want it to say %q", c.ref, err, w)
			}
		}
	}
	reg.Close()
}

func TestIndexPicksThisPlatform(t *testing.T) {
	reg := imagetest.Serve("", "")
	defer reg.Close()
	mine := helloImage(t)
	foreign := mustImage(t, imagetest.Options{Entrypoint: []string{"/x"}, Architecture: "s390x"}, []imagetest.File{{Name: "x"}})
	idx, err := imagetest.Index(foreign, mine)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := reg.PushIndex("shop/multi", "latest", idx)
	if err != nil {
		t.Fatal(err)
	}
	got, err := openStore(t).Pull(context.Background(), ref)
	if err != nil {
		t.Fatalf("Pull: %v", err)
	}
	if want, _ := mine.Digest(); got.Digest != want.String() {
		t.Fatalf("picked %s, want this platform's %s", got.Digest, want)
	}
}

func TestLoadLayoutAndTarball(t *testing.T) {
	img := helloImage(t)
	want, _ := img.Digest()
	dir := t.TempDir()
	lay, tarPath := filepath.Join(dir, "layout"), filepath.Join(dir, "image.tar")
	if err := imagetest.WriteLayout(lay, img); err != nil {
		t.Fatal(err)
	}
	if err := imagetest.WriteTarball(tarPath, img); err != nil {
		t.Fatal(err)
	}
	s := openStore(t)
	for _, p := range []string{lay, tarPath} {
		got, err := s.Load(context.Background(), p)
		if err != nil {
			t.Fatalf("Load(%s): %v", p, err)
		}
		// docker save keeps the config and layers but not the manifest's
		// bytes, so its digest may differ; the config must not.
		if p == lay && got.Digest != want.String() {
			t.Fatalf("Load(%s) digest %s, want %s", p, got.Digest, want)
		}
		if !slices.Equal(got.Config.Entrypoint, []string{"/app/hello"}) {
			t.Fatalf("Load(%s) config %+v", p, got.Config)
		}
		if _, _, err := s.Unpack(context.Background(), got.Digest); err != nil {
			t.Fatalf("Unpack of %s: %v", p, err)
		}
	}
	if _, err := s.Load(context.Background(), filepath.Join(dir, "missing")); err == nil {
		t.Fatal("Load of a missing file succeeded")
	}
	junk := filepath.Join(dir, "junk.tar")
	os.WriteFile(junk, []byte("not a tarball"), 0o644)
	if _, err := s.Load(context.Background(), junk); !errors.Is(err, image.ErrInvalid) {
		t.Fatalf("Load of junk = %v, want ErrInvalid", err)
	}
}

func TestGetUnknownAndBadDigest(t *testing.T) {
	s := openStore(t)
	if _, err := s.Get("sha256:" + strings.Repeat("ab", 32)); !errors.Is(err, image.ErrNotFound) {
		t.Fatalf("Get unknown = %v, want ErrNotFound", err)
	}
	for _, d := range []string{"", "sha256:../../etc", "md5:abc", "sha256:" + strings.Repeat("AB", 32)} {
		if _, _, err := s.Unpack(context.Background(), d); !errors.Is(err, image.ErrInvalid) {
			t.Errorf("Unpack(%q) = %v, want ErrInvalid", d, err)
		}
	}
}

func TestUnpackConcurrentCallersShareOneRootfs(t *testing.T) {
	s := openStore(t)
	dir := filepath.Join(t.TempDir(), "layout")
	if err := imagetest.WriteLayout(dir, helloImage(t)); err != nil {
		t.Fatal(err)
	}
	img, err := s.Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	roots := make([]string, 8)
	errs := make([]error, 8)
	for i := range roots {
		wg.Go(func() { roots[i], _, errs[i] = s.Unpack(context.Background(), img.Digest) })
	}
	wg.Wait()
	for i := range roots {
		if errs[i] != nil || roots[i] != roots[0] {
			t.Fatalf("Unpack #%d = %q, %v; want %q", i, roots[i], errs[i], roots[0])
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(roots[0]))
	if len(entries) != 1 {
		t.Fatalf("rootfs folder holds %d entries, want the one root filesystem", len(entries))
	}
	// A second store over the same folder (a restarted server) reuses it.
	s2, err := image.Open(filepath.Dir(filepath.Dir(roots[0])))
	if err != nil {
		t.Fatal(err)
	}
	if again, _, err := s2.Unpack(context.Background(), img.Digest); err != nil || again != roots[0] {
		t.Fatalf("reopened Unpack = %q, %v", again, err)
	}
}

func TestConfigCommand(t *testing.T) {
	cases := []struct {
		cfg      image.Config
		override []string
		want     []string
		err      error
	}{
		{image.Config{Entrypoint: []string{"/e"}, Cmd: []string{"a"}}, nil, []string{"/e", "a"}, nil},
		{image.Config{Cmd: []string{"/c", "x"}}, nil, []string{"/c", "x"}, nil},
		{image.Config{Entrypoint: []string{"/e"}}, []string{"/o"}, []string{"/o"}, nil},
		{image.Config{}, []string{"/o"}, []string{"/o"}, nil},
		{image.Config{}, nil, nil, image.ErrNoCommand},
	}
	for _, c := range cases {
		got, err := c.cfg.Command(c.override)
		if !errors.Is(err, c.err) || !slices.Equal(got, c.want) {
			t.Errorf("%+v.Command(%q) = %q, %v; want %q, %v", c.cfg, c.override, got, err, c.want, c.err)
		}
	}
	if !strings.Contains(image.ErrNoCommand.Error(), "command:") {
		t.Errorf("ErrNoCommand = %q, want it to name command:", image.ErrNoCommand)
	}
}

// TestPullWithDockerConfigCredentials checks that Pull logs in as Docker's
// config file says (DOCKER_CONFIG, as docker login writes it).
func TestPullWithDockerConfigCredentials(t *testing.T) {
	locked := imagetest.Serve("alice", "secret")
	defer locked.Close()
	ref, err := locked.Push("shop/hello", helloImage(t), remote.WithAuth(&authn.Basic{Username: "alice", Password: "secret"}))
	if err != nil {
		t.Fatal(err)
	}
	cfg := t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte("alice:secret"))
	if err := os.WriteFile(filepath.Join(cfg, "config.json"), []byte(`{"auths":{"`+locked.Host+`":{"auth":"`+auth+`"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_CONFIG", cfg)
	if _, err := openStore(t).Pull(context.Background(), ref); err != nil {
		t.Fatalf("Pull with the config's credentials: %v", err)
	}
}

// TestRootFromAnEarlierReleaseGetsTheConfigMount: a root filesystem
// unpacked before config files existed (no run/slipway) gets their
// mount point when a container of it starts again, so its containers
// get their config files like those of an image unpacked now.
func TestRootFromAnEarlierReleaseGetsTheConfigMount(t *testing.T) {
	s := openStore(t)
	dir := filepath.Join(t.TempDir(), "layout")
	if err := imagetest.WriteLayout(dir, helloImage(t)); err != nil {
		t.Fatal(err)
	}
	img, err := s.Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	root, _, err := s.Unpack(context.Background(), img.Digest)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(root, "run")); err != nil { // as the earlier release left it
		t.Fatal(err)
	}
	s2, err := image.Open(filepath.Dir(filepath.Dir(root))) // the upgraded server
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s2.Unpack(context.Background(), img.Digest); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(filepath.Join(root, image.ConfigMountDir)); err != nil || !fi.IsDir() {
		t.Fatalf("config mount point after the upgrade: %v", err)
	}
}
