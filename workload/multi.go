package workload

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Multi is a Driver over two: instances with an Image start on Container,
// the others on Process, and every other method goes to whichever driver
// knows the instance (Process is asked first). Observe lists both. It is
// how one environment runs services with and without images side by
// side; both drivers keep their own state, so adoption works as it does
// for each.
type Multi struct {
	Process   Driver
	Container Driver // nil: instances with an image fail to start
}

var (
	_ Driver = (*Multi)(nil)
	_ Execer = (*Multi)(nil)
)

// errNoContainers is Start's error for an image with no container driver.
var errNoContainers = errors.New("this server runs no container driver")

// Start starts s on the driver for its kind.
func (m *Multi) Start(ctx context.Context, s InstanceSpec) (Status, error) {
	if s.Image == nil {
		return m.Process.Start(ctx, s)
	}
	if m.Container == nil {
		return Status{}, fmt.Errorf("start instance %s: %w", s.ID, errNoContainers)
	}
	return m.Container.Start(ctx, s)
}

// owner returns the driver that knows id; ErrNotFound (wrapped) when
// neither does.
func (m *Multi) owner(ctx context.Context, id string) (Driver, error) {
	for _, d := range m.drivers() {
		_, err := d.Status(ctx, id)
		if err == nil {
			return d, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("instance %s: %w", id, ErrNotFound)
}

// drivers are the configured drivers, Process first.
func (m *Multi) drivers() []Driver {
	if m.Container == nil {
		return []Driver{m.Process}
	}
	return []Driver{m.Process, m.Container}
}

// Stop stops the instance on the driver that knows it.
func (m *Multi) Stop(ctx context.Context, id string, grace time.Duration) error {
	d, err := m.owner(ctx, id)
	if err != nil {
		return err
	}
	return d.Stop(ctx, id, grace)
}

// Status returns the instance's status from the driver that knows it.
func (m *Multi) Status(ctx context.Context, id string) (Status, error) {
	d, err := m.owner(ctx, id)
	if err != nil {
		return Status{}, err
	}
	return d.Status(ctx, id)
}

// Observe lists the instances of both drivers, sorted by ID.
func (m *Multi) Observe(ctx context.Context) ([]Status, error) {
	var all []Status
	for _, d := range m.drivers() {
		sts, err := d.Observe(ctx)
		if err != nil {
			return nil, err
		}
		all = append(all, sts...)
	}
	slices.SortFunc(all, func(a, b Status) int { return strings.Compare(a.ID, b.ID) })
	return all, nil
}

// Remove removes the instance from the driver that knows it.
func (m *Multi) Remove(ctx context.Context, id string) error {
	d, err := m.owner(ctx, id)
	if err != nil {
		return err
	}
	return d.Remove(ctx, id)
}

// Logs returns the instance's logs from the driver that knows it.
func (m *Multi) Logs(ctx context.Context, id string, n int) ([]string, error) {
	d, err := m.owner(ctx, id)
	if err != nil {
		return nil, err
	}
	return d.Logs(ctx, id, n)
}

// ExecStream runs argv in the instance through the driver that knows
// it, if that driver can.
func (m *Multi) ExecStream(ctx context.Context, id string, argv []string, out io.Writer) error {
	d, err := m.owner(ctx, id)
	if err != nil {
		return err
	}
	x, ok := d.(Execer)
	if !ok {
		return fmt.Errorf("exec in instance %s: its driver cannot exec", id)
	}
	return x.ExecStream(ctx, id, argv, out)
}

// CPU returns the instance's CPU time from the driver that knows it, if
// that driver measures it (workload/process does).
func (m *Multi) CPU(id string) (time.Duration, error) {
	d, err := m.owner(context.Background(), id)
	if err != nil {
		return 0, err
	}
	c, ok := d.(interface {
		CPU(id string) (time.Duration, error)
	})
	if !ok {
		return 0, fmt.Errorf("cpu of instance %s: its driver does not measure it", id)
	}
	return c.CPU(id)
}
