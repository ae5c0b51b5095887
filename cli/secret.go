package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/spec"
)

// newSecret is `slipway secret set|list`: secrets stored in the server,
// sealed, by environment.
func newSecret(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "secret",
		Short: "Store and list secrets (never shown again once stored)",
		Long: "A secret is a value an instance gets in its env, as ${secret.NAME} in an env value.\n" +
			"The spec's secrets: section says where the CLI reads each at apply time (fromEnv,\n" +
			"fromFile, fromCommand); `secret set` stores one directly. The server keeps every\n" +
			"version sealed with its key; a changed secret makes a new revision at the next apply.",
	}
	cmd.AddCommand(newSecretSet(e), newSecretList(e))
	return cmd
}

func newSecretSet(e *env) *cobra.Command {
	var fromFile string
	cmd := &cobra.Command{
		Use:   "set NAME [--from-file FILE]",
		Short: "Store a secret's value, read from standard input or a file (never from an argument)",
		Long: "set stores NAME's value as its next version. The value is read from --from-file,\n" +
			"else standard input (typed without echo on a terminal); one trailing newline is\n" +
			"dropped. It is never an argument: every user sees arguments in ps. The services\n" +
			"whose env references it run the new value from the next apply (which makes them\n" +
			"a new revision).",
		Args: cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&fromFile, "from-file", "", "read the value from this file")
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		name := args[0]
		if err := spec.CheckSecretName(name); err != nil {
			return err
		}
		value, err := readSecretValue(cmd.InOrStdin(), e.stderr, name, fromFile)
		if err == nil {
			err = checkSecretText(value)
		}
		if err != nil {
			return fmt.Errorf("secret %s: %w; nothing was stored", name, err)
		}
		s, err := e.client().SetSecret(cmd.Context(), name, value)
		if err != nil {
			return err
		}
		if !s.Stored {
			fmt.Fprintf(e.stdout, "secret %s unchanged (version %d holds this value)\n", s.Name, s.Version)
			return nil
		}
		fmt.Fprintf(e.stdout, "secret %s stored as version %d; slipway apply rolls it out to the services that use it\n", s.Name, s.Version)
		return nil
	})
	return cmd
}

// readSecretValue reads a value from path, else from in: a line typed
// without echo when in is a terminal, else all of it.
func readSecretValue(in io.Reader, prompt io.Writer, name, path string) (string, error) {
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return "", err
		}
		return trimNewline(string(b)), nil
	}
	if f, ok := in.(*os.File); ok {
		if t, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS); err == nil {
			return readHidden(f, t, prompt, name)
		}
	}
	b, err := io.ReadAll(io.LimitReader(in, maxSecretSize+1))
	if err != nil {
		return "", fmt.Errorf("read standard input: %w", err)
	}
	return trimNewline(string(b)), nil
}

// readHidden reads one line from the terminal f with echo off, and puts
// the terminal back as it was.
func readHidden(f *os.File, t *unix.Termios, prompt io.Writer, name string) (string, error) {
	fd := int(f.Fd())
	quiet := *t
	quiet.Lflag &^= unix.ECHO
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &quiet); err != nil {
		return "", fmt.Errorf("turn off the terminal's echo: %w", err)
	}
	defer unix.IoctlSetTermios(fd, unix.TCSETS, t)
	fmt.Fprintf(prompt, "value of secret %s (not shown): ", name)
	line, err := bufio.NewReader(f).ReadString('\n')
	fmt.Fprintln(prompt)
	if err != nil && err != io.EOF {
		return "", err
	}
	return trimNewline(line), nil
}

func newSecretList(e *env) *cobra.Command {
	cmd := &cobra.Command{Use: "list", Short: "List secrets: names, versions, who set them and how (never values)", Args: cobra.NoArgs}
	out := addOutputFlag(cmd)
	cmd.RunE = e.run(func(cmd *cobra.Command, _ []string) error {
		ss, err := e.client().Secrets(cmd.Context())
		if err != nil {
			return err
		}
		if *out == outputJSON {
			return printJSON(e.stdout, ss)
		}
		printSecretList(e, ss)
		return nil
	})
	return cmd
}

func printSecretList(e *env, ss []api.Secret) {
	if len(ss) == 0 {
		fmt.Fprintln(e.stdout, "No secrets.")
		return
	}
	tw := newTable(e.stdout)
	fmt.Fprintln(tw, "NAME\tVERSION\tSET\tBY\tVIA")
	for _, s := range ss {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", s.Name, s.Version, s.SetAt.Local().Format(time.DateTime), orDash(s.SetBy), orDash(s.Via))
	}
	_ = tw.Flush()
}
