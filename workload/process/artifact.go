package process

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/slipway-dev/slipway/workload"
)

// validID accepts an ID that is a single, ordinary path element: it names
// a directory and a cgroup.
func validID(id string) error {
	if id == "" || id == "." || id == ".." || strings.ContainsAny(id, "/\x00") || strings.HasPrefix(id, ".") {
		return fmt.Errorf("invalid instance id %q", id)
	}
	return nil
}

// validSpec checks what Start needs from s.
func validSpec(s workload.InstanceSpec) error {
	if err := validID(s.ID); err != nil {
		return err
	}
	if len(s.Command) == 0 || s.Command[0] == "" {
		return errors.New("no command")
	}
	if s.Artifact != "" && !filepath.IsLocal(s.ArtifactPath) {
		return fmt.Errorf("artifact path %q is not a relative path inside the instance", s.ArtifactPath)
	}
	return nil
}

// placeArtifact puts s.Artifact at work/<s.ArtifactPath>: a hard link when
// the artifact is already executable and on the same file system, else an
// executable copy (a link must not change the source's mode).
func placeArtifact(s workload.InstanceSpec, work string) error {
	if s.Artifact == "" {
		return nil
	}
	dst := filepath.Join(work, s.ArtifactPath)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("place artifact: %w", err)
	}
	if err := os.Remove(dst); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("place artifact: %w", err)
	}
	if executable(s.Artifact) == nil && os.Link(s.Artifact, dst) == nil {
		return nil
	}
	if err := copyFile(s.Artifact, dst); err != nil {
		return fmt.Errorf("place artifact: %w", err)
	}
	return nil
}

// copyFile copies src to a new executable file dst.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
