package main

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/backup"
)

// newRestoreCmd is `slipway restore FILE --data DIR`: offline, like
// `server`, it works on a data folder rather than through the API.
func newRestoreCmd() *cobra.Command {
	var data string
	cmd := &cobra.Command{
		Use:   "restore FILE --data DIR",
		Short: "Restore a backup into a new data folder, adopting the instances still running",
		Long: "restore unpacks a backup (slipway backup FILE) into DIR, which must be new\n" +
			"or empty, checks every database (SQLite's integrity and foreign-key checks,\n" +
			"and the store's invariants), and records the instance processes still\n" +
			"running from the backed-up server's data folder, so that a server started\n" +
			"with --data DIR adopts them (same processes, no restart). Stop the old\n" +
			"server first: two servers must not manage the same instances.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if data == "" {
				return errors.New("--data is required: the new data folder to restore into")
			}
			return restore(cmd, args[0], data)
		},
	}
	cmd.Flags().StringVar(&data, "data", "", "the new data folder to restore into (must not exist, or be empty)")
	return cmd
}

// restore restores the backup at file into data and says what it did.
func restore(cmd *cobra.Command, file, data string) error {
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	rep, err := backup.Restore(cmd.Context(), f, data, time.Now())
	if err != nil {
		return err
	}
	printReport(cmd.OutOrStdout(), rep, data)
	return nil
}

// printReport writes what a restore did, one line per environment.
func printReport(w io.Writer, rep backup.Report, data string) {
	m := rep.Manifest
	fmt.Fprintf(w, "restored %d files into %s from the backup of %s taken %s\n",
		rep.Files, data, m.Source, m.CreatedAt.Format(time.RFC3339))
	envs := slices.Sorted(maps.Keys(rep.Adopted))
	for _, db := range m.Databases {
		if !slices.Contains(envs, db.Env) {
			envs = append(envs, db.Env)
		}
	}
	for _, env := range envs {
		fmt.Fprintf(w, "  %s: database intact; %d instances to adopt, %d no longer running (restarted), %d not in the backup (stopped by the server)\n",
			env, rep.Adopted[env], rep.Gone[env], rep.Strays[env])
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "  warning: %s\n", p)
	}
	fmt.Fprintf(w, "start the server with: slipway server --data %s\n", data)
}
