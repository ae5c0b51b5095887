package cli

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

// backupManifest is the first file of every backup (package backup's
// manifest); a tar without it is not one.
const backupManifest = "backup.json"

// newBackup is `slipway backup FILE`.
func newBackup(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent copy of the server's data to FILE (a tar), while it runs",
		Long: "backup asks the server for a consistent copy of every environment's\n" +
			"database (SQLite's VACUUM INTO: rollouts go on meanwhile) and the\n" +
			"artifacts, streamed as a tar, and writes it to FILE atomically: FILE is\n" +
			"replaced only by a complete backup. Restore it with\n" +
			"`slipway restore FILE --data DIR`.\n\n" +
			"Not included: images (pull or load them again) and volumes: a backup names\n" +
			"each volume and its folder, it does not copy their files; back those\n" +
			"folders up with the tool you use for files.",
		Args: cobra.ExactArgs(1),
		RunE: e.run(func(cmd *cobra.Command, args []string) error {
			n, files, err := writeBackup(cmd, e, args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "backup written to %s (%d files, %d bytes)\n", args[0], files, n)
			if vols, err := e.client().Volumes(cmd.Context()); err == nil && len(vols) > 0 {
				fmt.Fprintln(e.stdout, "volumes are named, not copied (back their folders up yourself):")
				for _, v := range vols {
					fmt.Fprintf(e.stdout, "  %s  %s\n", v.Name, v.Path)
				}
			}
			return nil
		}),
	}
}

// writeBackup streams the backup into a temporary file beside path,
// checks that it is a whole backup, and renames it over path.
func writeBackup(cmd *cobra.Command, e *env, path string) (size int64, files int, err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return 0, 0, fmt.Errorf("backup: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if size, err = e.client().Backup(cmd.Context(), tmp); err != nil {
		return 0, 0, err
	}
	if err = tmp.Sync(); err != nil {
		return 0, 0, fmt.Errorf("backup: %w", err)
	}
	if files, err = countBackup(tmp); err != nil {
		return 0, 0, err
	}
	if err = tmp.Close(); err != nil {
		return 0, 0, fmt.Errorf("backup: %w", err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return 0, 0, fmt.Errorf("backup: %w", err)
	}
	return size, files, syncDir(filepath.Dir(path))
}

// countBackup reads f from its start as a tar to its end and returns how
// many files it holds: a truncated or foreign file is an error.
func countBackup(f *os.File) (int, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	tr := tar.NewReader(f)
	n := 0
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return n, fmt.Errorf("backup: the server's answer is not a whole backup: %w", err)
		}
		if n == 0 && hdr.Name != backupManifest {
			return n, fmt.Errorf("backup: the server's answer is not a backup (first file %q)", hdr.Name)
		}
		n++
	}
	if n == 0 {
		return 0, errors.New("backup: the server's answer is empty")
	}
	return n, nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}
