package edge

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/mholt/acmez/v3"
	"github.com/mholt/acmez/v3/acme"

	"github.com/slipway-dev/slipway/spec"
)

// DNS answers DNS-01 challenges with a hook: a program run as
// Command... present|cleanup FQDN VALUE (lego's exec provider), which
// works with any DNS a script can change. Wildcard hosts get their
// certificates this way.
type DNS struct {
	// Command is the hook and its first arguments.
	Command []string
	// Env is the hook's environment beside PATH; ${secret.NAME} in a
	// value is revealed for each run (Reveal).
	Env map[string]string
	// Dir is the hook's working directory (the spec's folder).
	Dir string
	// Reveal returns a secret's latest value; nil reveals none.
	Reveal func(ctx context.Context, name string) (string, error)
	// Start starts the hook (as an unprivileged user when the server is
	// root); nil: cmd.Start.
	Start func(*exec.Cmd) error
	// Resolvers (host:port), when set, must each answer the record
	// before the CA is told to look, within PropagationTimeout (default
	// 2 minutes).
	Resolvers          []string
	PropagationTimeout time.Duration
	// Timeout bounds one run of the hook (default 2 minutes).
	Timeout time.Duration
}

// hookSolver is certmagic's DNS-01 solver for a DNS hook.
type hookSolver struct{ d DNS }

var (
	_ acmez.Solver = hookSolver{}
	_ acmez.Waiter = hookSolver{}
)

// recordOf is the TXT record a challenge needs: its absolute name and
// value.
func recordOf(chal acme.Challenge) (fqdn, value string) {
	return strings.TrimSuffix(chal.DNS01TXTRecordName(), ".") + ".", chal.DNS01KeyAuthorization()
}

// Present runs the hook to set the challenge's TXT record.
func (h hookSolver) Present(ctx context.Context, chal acme.Challenge) error {
	fqdn, value := recordOf(chal)
	return h.d.run(ctx, "present", fqdn, value)
}

// CleanUp runs the hook to remove it.
func (h hookSolver) CleanUp(ctx context.Context, chal acme.Challenge) error {
	fqdn, value := recordOf(chal)
	return h.d.run(ctx, "cleanup", fqdn, value)
}

// Wait waits until every resolver answers the record (none: at once).
func (h hookSolver) Wait(ctx context.Context, chal acme.Challenge) error {
	if len(h.d.Resolvers) == 0 {
		return nil
	}
	fqdn, value := recordOf(chal)
	timeout := h.d.PropagationTimeout
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	pending := slices.Clone(h.d.Resolvers)
	for delay := 100 * time.Millisecond; ; delay = min(2*delay, 5*time.Second) {
		pending = slices.DeleteFunc(pending, func(r string) bool { return answers(ctx, r, fqdn, value) })
		if len(pending) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the TXT record %s did not reach resolver %s within %s", fqdn, strings.Join(pending, ", "), timeout)
		case <-time.After(delay):
		}
	}
}

// answers reports whether resolver answers value among fqdn's TXT
// records.
func answers(ctx context.Context, resolver, fqdn, value string) bool {
	r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, resolver)
	}}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	txts, err := r.LookupTXT(ctx, fqdn)
	return err == nil && slices.Contains(txts, value)
}

// run runs the hook for action, and says what it printed when it fails,
// the secrets' values blanked out.
func (d DNS) run(ctx context.Context, action, fqdn, value string) error {
	env, secrets, err := d.environ(ctx)
	if err != nil {
		return fmt.Errorf("DNS hook %s %s: %w", action, fqdn, err)
	}
	timeout := d.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, d.Command[0], append(slices.Clone(d.Command[1:]), action, fqdn, value)...)
	cmd.Dir, cmd.Env = d.Dir, env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = time.Second // a grandchild holding the output does not hold the hook
	start := d.Start
	if start == nil {
		start = (*exec.Cmd).Start
	}
	if err = start(cmd); err == nil {
		err = cmd.Wait()
	}
	if err == nil {
		return nil
	}
	if ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("no answer within %s", timeout)
	}
	msg := fmt.Sprintf("DNS hook %s %s %s: %v", d.Command[0], action, fqdn, err)
	if said := strings.TrimSpace(lastBytes(blank(out.String(), secrets), 500)); said != "" {
		msg += ": " + said
	}
	return errors.New(msg)
}

// environ is the hook's environment, secrets revealed, and the values
// revealed.
func (d DNS) environ(ctx context.Context) (env, secrets []string, err error) {
	env = []string{"PATH=" + os.Getenv("PATH")}
	for _, k := range slices.Sorted(maps.Keys(d.Env)) {
		v, err := spec.ExpandSecrets(d.Env[k], func(name string) (string, error) {
			if d.Reveal == nil {
				return "", fmt.Errorf("secret %s: this server keeps no secrets", name)
			}
			s, err := d.Reveal(ctx, name)
			if err == nil && s != "" {
				secrets = append(secrets, s)
			}
			return s, err
		})
		if err != nil {
			return nil, nil, fmt.Errorf("env %s: %w", k, err)
		}
		env = append(env, k+"="+v)
	}
	return env, secrets, nil
}

// blank replaces every secret value in s (before it is cut, so that no
// part of one is left).
func blank(s string, secrets []string) string {
	for _, v := range secrets {
		s = strings.ReplaceAll(s, v, "[secret]")
	}
	return s
}

func lastBytes(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}
