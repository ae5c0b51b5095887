package monkey

import (
	"context"
)

// DiskFull runs the full-disk scenario; see disk.go's doc.
func DiskFull(ctx context.Context, cfg Config) ([]string, error) {
	return []string{"not run"}, nil
}
