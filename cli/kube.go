package cli

import (
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

// newKubeManifests is `slipway kube manifests --env prod`.
func newKubeManifests(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "manifests --env ENV",
		Short: "Print the YAML Slipway applies to a Kubernetes environment's cluster, for review (GitOps)",
		Long: "manifests prints, as YAML documents, what Slipway applies to the environment's\n" +
			"cluster by server-side apply: each service's Deployments and Services (its\n" +
			"target revision and, during a rollout, its stable one) and its HTTPRoute\n" +
			"with the weights of now. The same state gives the same bytes, so the output\n" +
			"can be committed and diffed.",
		Args: cobra.NoArgs,
	}
	cmd.RunE = e.run(func(cmd *cobra.Command, _ []string) error {
		b, err := e.client().KubeManifests(cmd.Context())
		if err != nil {
			return err
		}
		_, err = e.stdout.Write(b)
		return err
	})
	return cmd
}
