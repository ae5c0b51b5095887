package image

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"

	"github.com/slipway-dev/slipway/internal/atomicfile"
)

// Errors the Store returns (wrapped); callers classify with errors.Is.
var (
	// ErrNotFound: the store has no image with that digest.
	ErrNotFound = errors.New("image not in the store")
	// ErrUnknown: the registry has no such repository or manifest.
	ErrUnknown = errors.New("image not found in the registry")
	// ErrUnauthorized: the registry refused the credentials (or their
	// absence); Docker's config file (docker login) gives them.
	ErrUnauthorized = errors.New("registry refused access (log in with docker login, or check ~/.docker/config.json)")
	// ErrUnavailable: the registry could not be reached.
	ErrUnavailable = errors.New("registry unavailable")
	// ErrArchitecture: the image is not built for linux on this machine's
	// architecture.
	ErrArchitecture = errors.New("image is for another platform")
	// ErrNoCommand: the image has neither an entrypoint nor a cmd, and
	// the spec gives no command.
	ErrNoCommand = errors.New("image has no entrypoint or cmd; give `command:`")
	// ErrInvalid: the image or its file is malformed or unsafe.
	ErrInvalid = errors.New("invalid image")
)

// Config is what the store keeps of an image's config file: what a
// container of it runs, and as whom.
type Config struct {
	Entrypoint   []string `json:"entrypoint,omitempty"`
	Cmd          []string `json:"cmd,omitempty"`
	Env          []string `json:"env,omitempty"` // NAME=value, as in the image
	User         string   `json:"user,omitempty"`
	WorkingDir   string   `json:"workingDir,omitempty"`
	OS           string   `json:"os"`
	Architecture string   `json:"architecture"`
}

// Image is one stored image. It is also the stored shape of
// images/<hex>.json: change it only by adding fields.
type Image struct {
	// Digest is the manifest digest, "sha256:<hex>".
	Digest string `json:"digest"`
	// Ref is where it came from: the reference pulled, or the file
	// loaded.
	Ref string `json:"ref"`
	// Size is the bytes stored: manifest, config and compressed layers.
	Size   int64  `json:"size"`
	Config Config `json:"config"`
}

// Command resolves what a container of the image runs: override (the
// spec's command) when given, else the entrypoint followed by the cmd.
// ErrNoCommand when both are empty.
func (c Config) Command(override []string) ([]string, error) {
	if len(override) > 0 {
		return override, nil
	}
	argv := append(append([]string{}, c.Entrypoint...), c.Cmd...)
	if len(argv) == 0 {
		return nil, ErrNoCommand
	}
	return argv, nil
}

// Store is a folder of images. It is safe for concurrent use; one Store
// per folder per process (a server shares one between its environments).
type Store struct {
	dir    string
	layout layout.Path

	// writing serializes additions to the layout's index.json.
	writing sync.Mutex
	mu      sync.Mutex // guards unpacking
	// unpacking holds a lock per digest being unpacked, so that callers
	// of Unpack for the same image wait for one unpack.
	unpacking map[string]*sync.Mutex
}

// Open opens (creating it) the store in dir and removes unpacks a crash
// left unfinished.
func Open(dir string) (*Store, error) {
	for _, sub := range []string{"oci", "images", "rootfs"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, fmt.Errorf("open image store: %w", err)
		}
	}
	oci := filepath.Join(dir, "oci")
	lp := layout.Path(oci)
	if _, err := os.Stat(filepath.Join(oci, "index.json")); errors.Is(err, os.ErrNotExist) {
		if lp, err = layout.Write(oci, empty.Index); err != nil {
			return nil, fmt.Errorf("open image store: %w", err)
		}
	}
	s := &Store{dir: dir, layout: lp, unpacking: map[string]*sync.Mutex{}}
	if err := s.removeTemps(); err != nil {
		return nil, fmt.Errorf("open image store: %w", err)
	}
	return s, nil
}

// Dir is the store's folder.
func (s *Store) Dir() string { return s.dir }

// removeTemps removes unfinished unpacks.
func (s *Store) removeTemps() error {
	entries, err := os.ReadDir(filepath.Join(s.dir, "rootfs"))
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".tmp-") {
			errs = append(errs, os.RemoveAll(filepath.Join(s.dir, "rootfs", e.Name())))
		}
	}
	return errors.Join(errs...)
}

// Get returns the stored image with the given manifest digest;
// ErrNotFound when the store has none.
func (s *Store) Get(digest string) (Image, error) {
	hex, err := digestHex(digest)
	if err != nil {
		return Image{}, err
	}
	data, err := os.ReadFile(filepath.Join(s.dir, "images", hex+".json"))
	if errors.Is(err, os.ErrNotExist) {
		return Image{}, fmt.Errorf("image %s: %w", digest, ErrNotFound)
	}
	if err != nil {
		return Image{}, fmt.Errorf("image %s: %w", digest, err)
	}
	var img Image
	if err := json.Unmarshal(data, &img); err != nil {
		return Image{}, fmt.Errorf("image %s: decode record: %w", digest, err)
	}
	return img, nil
}

// Has reports whether the store holds the image.
func (s *Store) Has(digest string) bool {
	_, err := s.Get(digest)
	return err == nil
}

// record writes the image's record, the last step of storing it.
func (s *Store) record(img Image) error {
	hex, err := digestHex(img.Digest)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(img, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(s.dir, "images", hex+".json"), data)
}

// digestHex checks a "sha256:<64 hex>" digest and returns its hex part,
// which names files: nothing else may reach a path.
func digestHex(digest string) (string, error) {
	hex, ok := strings.CutPrefix(digest, "sha256:")
	if !ok || len(hex) != 64 || strings.Trim(hex, "0123456789abcdef") != "" {
		return "", fmt.Errorf("image digest %q: %w: want sha256:<64 lower-case hex digits>", digest, ErrInvalid)
	}
	return hex, nil
}
