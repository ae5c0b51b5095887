package workload

import (
	"context"
	"errors"
	"fmt"
)

// ErrNoConfigFiles is WriteConfig's error for an instance whose driver
// delivers no config files.
var ErrNoConfigFiles = errors.New("this platform delivers no config files")

var _ ConfigWriter = (*Multi)(nil)

// ConfigPath is the process driver's path ("" when it delivers none):
// the container driver binds its instances' files at the path a process
// of a root server (the only server that runs containers) sees its own.
func (m *Multi) ConfigPath(id, name string) string {
	if w, ok := m.Process.(ConfigWriter); ok {
		return w.ConfigPath(id, name)
	}
	return ""
}

// WriteConfig writes through the driver that runs id.
func (m *Multi) WriteConfig(ctx context.Context, id string, f ConfigFile) error {
	d, err := m.owner(ctx, id)
	if err != nil {
		return err
	}
	w, ok := d.(ConfigWriter)
	if !ok {
		return fmt.Errorf("write config %s of %s: %w", f.Name, id, ErrNoConfigFiles)
	}
	return w.WriteConfig(ctx, id, f)
}
