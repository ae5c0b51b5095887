package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/api"
)

func newVolume(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "volume",
		Short: "List or remove the app's volumes (folders that outlive revisions)",
		Long: "A volume (volumes: in the spec, mounts: on a service) is a folder kept across\n" +
			"revisions, rollbacks and restarts. It is removed only by `slipway volume rm`,\n" +
			"refused while a revision mounts it. Backups name volumes; they do not copy them.",
	}
	ls := &cobra.Command{Use: "ls", Short: "List the volumes with their sizes and who mounts them", Args: cobra.NoArgs}
	out := addOutputFlag(ls)
	ls.RunE = e.run(func(cmd *cobra.Command, _ []string) error {
		vols, err := e.client().Volumes(cmd.Context())
		if err != nil {
			return err
		}
		if *out == outputJSON {
			return printJSON(e.stdout, nonNil(vols))
		}
		if len(vols) == 0 {
			fmt.Fprintln(e.stdout, "no volumes")
			return nil
		}
		printVolumes(e.stdout, vols)
		return nil
	})
	rm := &cobra.Command{Use: "rm NAME", Short: "Remove a volume's folder and every file in it (refused while mounted)", Args: cobra.ExactArgs(1)}
	rm.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		v, err := e.client().RemoveVolume(cmd.Context(), args[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "volume %s removed (%s)\n", v.Name, v.Path)
		return nil
	})
	cmd.AddCommand(ls, rm)
	return cmd
}

// printVolumes writes the volumes table (status prints it too).
func printVolumes(w io.Writer, vols []api.Volume) {
	t := newTable(w)
	fmt.Fprintln(t, "VOLUME\tPATH\tSIZE\tMOUNTED BY")
	for _, v := range vols {
		size := humanBytes(v.Size)
		switch {
		case !v.Exists:
			size = "(not made yet)"
		case v.Size < 0:
			size = "(unreadable)"
		}
		name := v.Name
		if v.Shared {
			name += " (shared)"
		}
		fmt.Fprintf(t, "%s\t%s\t%s\t%s\n", name, v.Path, size, orDash(strings.Join(v.MountedBy, ", ")))
	}
	t.Flush()
}

// humanBytes writes a size in B, KiB, MiB or GiB.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 2; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMG"[exp])
}
