package image_test

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/slipway-dev/slipway/image"
	"github.com/slipway-dev/slipway/image/imagetest"
)

// TestUnpackNeverWritesOutside feeds Unpack layers that try to write
// outside the root filesystem; none may, whatever Unpack answers.
func TestUnpackNeverWritesOutside(t *testing.T) {
	outside := t.TempDir()
	victim := filepath.Join(outside, "victim")
	if err := os.WriteFile(victim, []byte("intact"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		layers [][]imagetest.File
		// rejected: Unpack must fail (else it may succeed, harmlessly).
		rejected bool
	}{
		{"absolute symlink then write through it", [][]imagetest.File{{
			{Name: "etc", Type: tar.TypeSymlink, Linkname: outside},
			{Name: "etc/victim", Body: []byte("pwned")},
			{Name: "etc/new", Body: []byte("pwned")},
		}}, false},
		{"relative symlink climbing out then write", [][]imagetest.File{{
			{Name: "up", Type: tar.TypeSymlink, Linkname: "../../../../../../../../../../" + outside},
			{Name: "up/new", Body: []byte("pwned")},
		}}, false},
		{"symlink in a lower layer, write in an upper", [][]imagetest.File{
			{{Name: "etc", Type: tar.TypeSymlink, Linkname: outside}},
			{{Name: "etc/new", Body: []byte("pwned")}},
		}, false},
		{"dot-dot name", [][]imagetest.File{{
			{Name: "../../../../../../../../" + outside + "/new", Body: []byte("pwned")},
		}}, false},
		{"hard link to a host file", [][]imagetest.File{{
			{Name: "link", Type: tar.TypeLink, Linkname: victim},
		}}, true},
		{"symlink then overwrite the symlink's target by name", [][]imagetest.File{{
			{Name: "v", Type: tar.TypeSymlink, Linkname: victim},
			{Name: "v", Body: []byte("pwned")},
		}}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			img := mustImage(t, imagetest.Options{Entrypoint: []string{"/x"}}, c.layers...)
			s := openStore(t)
			lay := filepath.Join(t.TempDir(), "layout")
			if err := imagetest.WriteLayout(lay, img); err != nil {
				t.Fatal(err)
			}
			got, err := s.Load(context.Background(), lay)
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = s.Unpack(context.Background(), got.Digest)
			if c.rejected && !errors.Is(err, image.ErrInvalid) {
				t.Errorf("Unpack = %v, want ErrInvalid", err)
			}
			if data, _ := os.ReadFile(victim); string(data) != "intact" {
				t.Fatalf("host file changed: %q", data)
			}
			if _, err := os.Lstat(filepath.Join(outside, "new")); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("a file was written outside the root filesystem")
			}
		})
	}
}

// TestExtractRejectsEscapes feeds Extract, the last line of defence,
// raw streams that mutate.Extract would already have filtered: it must
// reject each one and write nothing outside.
func TestExtractRejectsEscapes(t *testing.T) {
	outside := t.TempDir()
	victim := filepath.Join(outside, "victim")
	if err := os.WriteFile(victim, []byte("intact"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := map[string][]*tar.Header{
		"write through an absolute symlink": {
			{Name: "etc", Typeflag: tar.TypeSymlink, Linkname: outside},
			{Name: "etc/victim", Typeflag: tar.TypeReg, Mode: 0o644, Size: 5},
		},
		"write through a climbing symlink": {
			{Name: "a/b", Typeflag: tar.TypeSymlink, Linkname: "../../../../../../../../../.." + outside},
			{Name: "a/b/new", Typeflag: tar.TypeReg, Mode: 0o644, Size: 5},
		},
		"directory through a symlink": {
			{Name: "d", Typeflag: tar.TypeSymlink, Linkname: outside},
			{Name: "d/sub/", Typeflag: tar.TypeDir, Mode: 0o755},
		},
		"dot-dot name":              {{Name: "x/../../new", Typeflag: tar.TypeReg, Mode: 0o644, Size: 5}},
		"hard link through symlink": {{Name: "d", Typeflag: tar.TypeSymlink, Linkname: outside}, {Name: "l", Typeflag: tar.TypeLink, Linkname: "d/victim"}},
	}
	for name, hdrs := range cases {
		t.Run(name, func(t *testing.T) {
			pr, pw := io.Pipe()
			go func() {
				tw := tar.NewWriter(pw)
				for _, h := range hdrs {
					tw.WriteHeader(h)
					if h.Size > 0 {
						tw.Write([]byte("pwned")[:h.Size])
					}
				}
				pw.CloseWithError(tw.Close())
			}()
			err := image.Extract(context.Background(), pr, t.TempDir())
			pr.Close()
			if !errors.Is(err, image.ErrInvalid) {
				t.Errorf("Extract = %v, want ErrInvalid", err)
			}
			if data, _ := os.ReadFile(victim); string(data) != "intact" {
				t.Fatalf("host file changed: %q", data)
			}
			entries, _ := os.ReadDir(outside)
			if len(entries) != 1 {
				t.Fatalf("outside holds %d entries, want only the victim", len(entries))
			}
		})
	}
}

// TestUnpackFailureLeavesNothing checks that a rejected image leaves no
// root filesystem behind, so that a later Unpack does not take a partial
// one for whole.
func TestUnpackFailureLeavesNothing(t *testing.T) {
	img := mustImage(t, imagetest.Options{Entrypoint: []string{"/x"}},
		[]imagetest.File{{Name: "d", Type: tar.TypeSymlink, Linkname: "/"}},
		[]imagetest.File{{Name: "ok", Body: []byte("fine")}, {Name: "l", Type: tar.TypeLink, Linkname: "d/etc/passwd"}},
	)
	s := openStore(t)
	lay := filepath.Join(t.TempDir(), "layout")
	if err := imagetest.WriteLayout(lay, img); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load(context.Background(), lay)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		root, _, err := s.Unpack(context.Background(), got.Digest)
		if !errors.Is(err, image.ErrInvalid) {
			t.Fatalf("Unpack = %q, %v; want ErrInvalid", root, err)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(s.Dir(), "rootfs"))
	if len(entries) != 0 {
		t.Fatalf("rootfs folder holds %v after a failed unpack", entries)
	}
}
