package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// readToken settles the API token: --token-file, else --token (with a
// warning: other users see a command line in ps), else SLIPWAY_TOKEN.
// The token flag is set to it too, for commands that read the flag
// (slipway server).
func (e *env) readToken(cmd *cobra.Command) error {
	flags := cmd.Flags()
	switch {
	case e.tokenFile != "":
		e.started = true // not a usage error
		tok, err := ReadSecretFile(e.tokenFile)
		if err != nil {
			return fmt.Errorf("--token-file: %w", err)
		}
		e.token = tok
		if f := flags.Lookup("token"); f != nil {
			return f.Value.Set(tok)
		}
	case flags.Changed("token"):
		WarnSecretFlag(e.stderr, "--token", "--token-file or "+EnvToken)
	}
	return nil
}

// ReadSecretFile reads a secret from a file: its content without the
// surrounding white space (a trailing newline). An empty file is an
// error: it would silently mean no secret at all.
func ReadSecretFile(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read secret: %w", err)
	}
	s := strings.TrimSpace(string(data))
	if s == "" {
		return "", fmt.Errorf("read secret: %s is empty", path)
	}
	return s, nil
}

// WarnSecretFlag says on w that flag's value is visible to other users
// (ps, /proc/PID/cmdline), and what to use instead.
func WarnSecretFlag(w io.Writer, flag, instead string) {
	fmt.Fprintf(w, "warning: %s is visible to every user of this machine (ps); use %s instead\n", flag, instead)
}
