package dashboard

import (
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// releaseText is a flag's progressive release in words: where it
// stands and, while a step bakes, the countdown (Until, which the
// page's script counts down; Left as it was when drawn).
type releaseText struct {
	Text         string
	Until        string // RFC 3339; empty when nothing counts down
	Left, BakeOf string
}

// releaseWords says where a flag's progressive release stands.
func releaseWords(rel *api.FlagRelease, now time.Time) releaseText {
	switch {
	case rel == nil:
		return releaseText{}
	case rel.Outcome == "Promoted":
		return releaseText{Text: fmt.Sprintf("released: %s to everyone", rel.Variant)}
	case rel.Outcome == "RolledBack":
		return releaseText{Text: "rolled back: " + orWord(rel.Reason, "no reason recorded")}
	case rel.Outcome != "":
		return releaseText{Text: rel.Outcome}
	case rel.Waiting:
		return releaseText{Text: fmt.Sprintf("waiting for %s's rollout to finish", rel.Service)}
	}
	at := fmt.Sprintf("step %d of %d: %s at %s%%", rel.Step+1, rel.Steps, rel.Variant, trimFloat(rel.Percent))
	bake := time.Duration(rel.BakeSeconds * float64(time.Second))
	if bake <= 0 || rel.StepStarted.IsZero() {
		return releaseText{Text: fmt.Sprintf("%s, %s on this step", at, now.Sub(rel.StepStarted).Round(time.Second))}
	}
	until := rel.StepStarted.Add(bake)
	if !until.After(now) {
		return releaseText{Text: fmt.Sprintf("%s, baked %s: the next step comes once the analysis passes", at, bake)}
	}
	return releaseText{Text: at, Until: until.UTC().Format(time.RFC3339), Left: until.Sub(now).Round(time.Second).String(), BakeOf: bake.String()}
}
