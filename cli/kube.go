package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// newKube is `slipway kube`: what a Kubernetes environment's cluster
// gets from Slipway.
func newKube(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "kube",
		Short: "Kubernetes environments: the objects Slipway applies to their cluster",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newKubeManifests(e))
	return cmd
}

// newKubeManifests is `slipway kube manifests --env prod`, and with
// --install what runs the server inside that cluster.
func newKubeManifests(e *env) *cobra.Command {
	var (
		install          bool
		namespace, image string
	)
	cmd := &cobra.Command{
		Use:   "manifests --env ENV [--install --image REF [--namespace NS]]",
		Short: "Print the YAML Slipway applies to a Kubernetes environment's cluster, for review (GitOps), or what installs the server there",
		Long: "manifests prints, as YAML documents, what Slipway applies to the environment's\n" +
			"cluster by server-side apply: each service's Deployments and Services (its\n" +
			"target revision and, during a rollout, its stable one) and its HTTPRoute\n" +
			"with the weights of now. The same state gives the same bytes, so the output\n" +
			"can be committed and diffed.\n\n" +
			"With --install it prints instead what runs the server inside that cluster\n" +
			"(kubectl apply -f): a Namespace, a ServiceAccount, a volume for its data, its\n" +
			"Deployment (one replica, an unprivileged user) and API Service, and in the\n" +
			"environment's namespace a Role with only the verbs Slipway uses and its\n" +
			"RoleBinding. The server then finds the cluster by its in-cluster configuration.\n" +
			"For several Kubernetes environments, apply it for each: only their Roles differ.",
		Args: cobra.NoArgs,
	}
	cmd.Flags().BoolVar(&install, "install", false, "print what installs the server inside the environment's cluster")
	cmd.Flags().StringVar(&namespace, "namespace", "slipway", "with --install: the namespace the server runs in")
	cmd.Flags().StringVar(&image, "image", "", "with --install: the server's image, pinned by digest (registry.example/slipway@sha256:...)")
	cmd.PreRunE = func(cmd *cobra.Command, _ []string) error {
		if !install && (cmd.Flags().Changed("namespace") || image != "") {
			return errors.New("--namespace and --image go with --install")
		}
		return nil
	}
	cmd.RunE = e.run(func(cmd *cobra.Command, _ []string) error {
		var b []byte
		var err error
		if install {
			b, err = e.client().KubeInstallManifests(cmd.Context(), namespace, image)
		} else {
			b, err = e.client().KubeManifests(cmd.Context())
		}
		if err != nil {
			return err
		}
		_, err = e.stdout.Write(b)
		return err
	})
	return cmd
}
