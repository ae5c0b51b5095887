package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/spec"
)

// secretCommandTimeout bounds a fromCommand source (a password
// manager's CLI may ask its user to unlock it first).
const secretCommandTimeout = 2 * time.Minute

// maxSecretSize is the largest value the server stores (secret.MaxSize).
const maxSecretSize = 64 << 10

// resolveSecrets reads every secret the spec declares from its source,
// here on the deployer's machine: the values go to the server with the
// apply and are never printed. A source that cannot be read stops
// everything before anything is sent, naming the secret at its line
// (every such problem at once); the message never holds a value.
func resolveSecrets(ctx context.Context, app *spec.App, file, baseDir string) (map[string]string, error) {
	if len(app.Secrets) == 0 {
		return nil, nil
	}
	values := make(map[string]string, len(app.Secrets))
	var ps spec.Problems
	for _, name := range slices.Sorted(maps.Keys(app.Secrets)) {
		src := app.Secrets[name]
		v, field, err := readSource(ctx, src, baseDir)
		if err == nil {
			err = checkSecretText(v)
		}
		if err != nil {
			path := "secrets." + name + "." + field
			ps = append(ps, spec.Problem{File: file, Line: app.Line(path), Path: path,
				Message: fmt.Sprintf("secret %s cannot be resolved: %v; nothing was sent", name, err)})
			continue
		}
		values[name] = v
	}
	if len(ps) > 0 {
		return nil, &ps
	}
	return values, nil
}

// readSource reads one secret's value and names the field it came from.
func readSource(ctx context.Context, src *spec.SecretSource, baseDir string) (string, string, error) {
	switch {
	case src.FromEnv != "":
		v, ok := os.LookupEnv(src.FromEnv)
		if !ok {
			return "", "fromEnv", fmt.Errorf("the environment variable %s is not set", src.FromEnv)
		}
		return v, "fromEnv", nil
	case src.FromFile != "":
		path := src.FromFile
		if !filepath.IsAbs(path) {
			path = filepath.Join(baseDir, path)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return "", "fromFile", err
		}
		return trimNewline(string(b)), "fromFile", nil
	default:
		v, err := runSourceCommand(ctx, src.FromCommand, baseDir)
		return v, "fromCommand", err
	}
}

// runSourceCommand runs a fromCommand source in the spec's folder. Its
// standard output, less one trailing newline, is the value; its standard
// input and error are the terminal's, so a password manager can ask to
// be unlocked. A failure says how it ended, never what it printed.
func runSourceCommand(ctx context.Context, argv []string, dir string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, secretCommandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir, cmd.Stdin, cmd.Stderr = dir, os.Stdin, os.Stderr
	var out bytes.Buffer
	cmd.Stdout = &out
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return "", fmt.Errorf("%s did not finish within %s", argv[0], secretCommandTimeout)
	case errors.As(err, &exit):
		return "", fmt.Errorf("%s failed (%s)", argv[0], exit.ProcessState)
	case err != nil:
		return "", err
	}
	return trimNewline(out.String()), nil
}

// checkSecretText refuses a value an environment variable cannot hold,
// and one larger than the server stores.
func checkSecretText(v string) error {
	switch {
	case v == "":
		return errors.New("the value is empty")
	case len(v) > maxSecretSize:
		return fmt.Errorf("the value is %d bytes; at most %d", len(v), maxSecretSize)
	case !utf8.ValidString(v) || strings.ContainsRune(v, 0):
		return errors.New("the value must be text (UTF-8 without NUL bytes): it goes into an environment variable")
	}
	return nil
}

// trimNewline drops one trailing newline (\n or \r\n): what a file or a
// command's output ends with, and no secret means.
func trimNewline(s string) string {
	if t, ok := strings.CutSuffix(s, "\r\n"); ok {
		return t
	}
	t, _ := strings.CutSuffix(s, "\n")
	return t
}

// printSecrets says which secrets the apply stores a new version of, by
// version: never a value.
func printSecrets(w io.Writer, changes map[string]api.SecretChange) {
	for _, name := range slices.Sorted(maps.Keys(changes)) {
		switch ch := changes[name]; {
		case ch.From == 0:
			fmt.Fprintf(w, "secret %s: new (version %d)\n", name, ch.To)
		case ch.To != ch.From:
			fmt.Fprintf(w, "secret %s: changed (version %d -> %d)\n", name, ch.From, ch.To)
		}
	}
}
