package cli

import (
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/api"
)

// TestStatusShowsThePreviewSecret: a blue/green preview is reached only
// with its secret, so status shows the header and the value to send.
func TestStatusShowsThePreviewSecret(t *testing.T) {
	svc := api.Service{Name: "order", Revision: 3, Stable: 2, Phase: "Progressing",
		Traffic: &api.Traffic{Active: 2, Preview: 3, PreviewHeader: "X-Slipway-Preview", PreviewSecret: "c0ffee"}}
	var out strings.Builder
	printStatus(&out, []api.Service{svc})
	if want := "    preview r3: X-Slipway-Preview: c0ffee\n"; !strings.Contains(out.String(), want) {
		t.Fatalf("status:\n%s\nwant a line %q", out.String(), want)
	}
}
