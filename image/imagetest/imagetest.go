package imagetest

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// File is one entry of a layer.
type File struct {
	// Name is the path in the image ("app/server"; no leading slash
	// needed).
	Name string
	// Body is a regular file's content.
	Body []byte
	// Mode is the permission bits (default 0o755 for a file, a
	// directory and a link).
	Mode int64
	// Type is the tar type flag (default tar.TypeReg).
	Type byte
	// Linkname is a symlink's or a hard link's target.
	Linkname string
	// UID and GID own the entry (default root).
	UID, GID int
}

// Options shape an image's config.
type Options struct {
	Entrypoint []string
	Cmd        []string
	Env        []string // NAME=value
	User       string
	WorkingDir string
	// Architecture defaults to this machine's (runtime.GOARCH).
	Architecture string
}

// Layer builds an uncompressed tar layer of files, in order.
func Layer(files ...File) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		hdr := &tar.Header{Name: f.Name, Mode: f.Mode, Typeflag: f.Type, Linkname: f.Linkname, Uid: f.UID, Gid: f.GID}
		if hdr.Typeflag == 0 {
			hdr.Typeflag = tar.TypeReg
		}
		if hdr.Mode == 0 {
			hdr.Mode = 0o755
		}
		if hdr.Typeflag == tar.TypeReg {
			hdr.Size = int64(len(f.Body))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, fmt.Errorf("layer: %s: %w", f.Name, err)
		}
		if _, err := tw.Write(f.Body); err != nil {
			return nil, fmt.Errorf("layer: %s: %w", f.Name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	data := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	})
}

// Image builds a linux image of the layers (bottom first) with opts.
func Image(opts Options, layers ...v1.Layer) (v1.Image, error) {
	img, err := mutate.AppendLayers(empty.Image, layers...)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", opts.Architecture
	if cf.Architecture == "" {
		cf.Architecture = runtime.GOARCH
	}
	cf.Config.Entrypoint, cf.Config.Cmd, cf.Config.Env = opts.Entrypoint, opts.Cmd, opts.Env
	cf.Config.User, cf.Config.WorkingDir = opts.User, opts.WorkingDir
	return mutate.ConfigFile(img, cf)
}

// Program builds the Go main package pkg (an import path or a directory,
// as go build takes it) as a static linux binary for this machine, as a
// File at name. It needs the go command.
func Program(pkg, name string) (File, error) {
	dir, err := os.MkdirTemp("", "imagetest-")
	if err != nil {
		return File{}, err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "prog")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return File{}, fmt.Errorf("go build %s: %v\n%s", pkg, err, msg)
	}
	body, err := os.ReadFile(out)
	if err != nil {
		return File{}, err
	}
	return File{Name: name, Body: body, Mode: 0o755}, nil
}

// BusyboxPath is where Debian's busybox-static installs its binary.
const BusyboxPath = "/bin/busybox"

// Busybox returns the files of a minimal shell userland: a static busybox
// at bin/busybox with links for sh, sleep, env, id, cat, echo, ls, ps and
// friends in bin/, plus usr/bin -> ../bin, tmp/ and etc/passwd naming
// root and nobody. It needs Debian's busybox-static (apt-get install
// busybox-static).
func Busybox() ([]File, error) {
	body, err := os.ReadFile(BusyboxPath)
	if err != nil {
		return nil, fmt.Errorf("busybox: %w (install it: apt-get install busybox-static)", err)
	}
	if !static(body) {
		return nil, fmt.Errorf("busybox: %s is not a static binary (install busybox-static, not busybox)", BusyboxPath)
	}
	files := []File{
		{Name: "bin/", Type: tar.TypeDir},
		{Name: "bin/busybox", Body: body, Mode: 0o755},
		{Name: "usr/", Type: tar.TypeDir},
		{Name: "usr/bin", Type: tar.TypeSymlink, Linkname: "../bin"},
		{Name: "tmp/", Type: tar.TypeDir, Mode: 0o1777},
		{Name: "etc/", Type: tar.TypeDir},
		{Name: "etc/passwd", Body: []byte("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n"), Mode: 0o644},
		{Name: "etc/group", Body: []byte("root:x:0:\nnogroup:x:65534:\n"), Mode: 0o644},
	}
	for _, tool := range []string{"sh", "sleep", "env", "id", "cat", "echo", "ls", "ps", "touch", "kill", "head", "dd", "wc", "true", "false", "mkdir", "rm"} {
		files = append(files, File{Name: "bin/" + tool, Type: tar.TypeLink, Linkname: "bin/busybox"})
	}
	return files, nil
}

// static reports whether body is an ELF executable with no interpreter
// (no dynamic loader to find inside an image).
func static(body []byte) bool {
	f, err := elf.NewFile(bytes.NewReader(body))
	if err != nil {
		return false
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return false
		}
	}
	return true
}

// ProgramImage is an image holding only the Go main package pkg, built
// static at name ("app/order"), with opts; its entrypoint is /name unless
// opts gives one. It needs the go command.
func ProgramImage(pkg, name string, opts Options) (v1.Image, error) {
	prog, err := Program(pkg, name)
	if err != nil {
		return nil, err
	}
	l, err := Layer(prog)
	if err != nil {
		return nil, err
	}
	if len(opts.Entrypoint) == 0 {
		opts.Entrypoint = []string{"/" + name}
	}
	return Image(opts, l)
}
