package image

import (
	"os"
	"path/filepath"
	"testing"
)

// TestConfigMountPoint: the config mount point is made under the image's
// own /run, or a new one, and never through a /run symlink (which the
// host would resolve outside the root filesystem when it is absolute).
func TestConfigMountPoint(t *testing.T) {
	for name, c := range map[string]struct {
		run  func(dir string) error
		want bool
	}{
		"no run":  {func(string) error { return nil }, true},
		"run dir": {func(dir string) error { return os.Mkdir(filepath.Join(dir, "run"), 0o755) }, true},
		"run symlink": {func(dir string) error {
			if err := os.MkdirAll(filepath.Join(dir, "var/run"), 0o755); err != nil {
				return err
			}
			return os.Symlink("var/run", filepath.Join(dir, "run"))
		}, false},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := c.run(dir); err != nil {
				t.Fatal(err)
			}
			if err := addMountPoints(dir, ""); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Lstat(filepath.Join(dir, ConfigMountDir))
			if got := err == nil && fi.IsDir(); got != c.want {
				t.Errorf("mount point made: %v (%v), want %v", got, err, c.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "var/run/slipway")); err == nil {
				t.Error("made through the /run symlink")
			}
		})
	}
}
