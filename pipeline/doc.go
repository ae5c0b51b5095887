// Package pipeline moves pushed versions of a service through
// environments: a deploy into an environment that takes them, or a
// promotion of what one environment runs into the next, each through the
// target's gates (tests, approval, bake, analysis).
//
// Advance (advance.go) is the pure gate machine; the Controller
// (controller.go) stores promotions first and is level-triggered: it
// gathers the facts a pass needs (gates.go: the source environment's
// service, test commands run by package testrun, analysis measurements),
// stores the gates' results, then deploys the very artifact, by digest,
// exactly once (deploy.go) and follows the target's operation to its end.
// requests.go holds what people ask for (Deploy, Promote, Approve,
// Cancel) and their refusals; status.go the pipeline view.
package pipeline
