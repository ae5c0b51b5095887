package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/cli"
)

// TestMain lets the test binary stand in for the slipway binary: the demo
// copies os.Executable() as its artifact and runs `example-app` with it.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "example-app" {
		ctx := context.Background()
		os.Exit(cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr, newExampleAppCmd()))
	}
	os.Exit(m.Run())
}

func TestDemoTellsTheWholeStory(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo takes about 20s")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out bytes.Buffer
	code := cli.Run(ctx, []string{"demo", "--exit"}, &out, &out, newServerCmd(), newDemoCmd(), newExampleAppCmd())
	text := out.String()
	if code != 0 {
		t.Fatalf("demo exited %d:\n%s", code, text)
	}
	for _, want := range []string{
		"operation 1 succeeded",                      // first deploy
		"operation 2 started",                        // the v2 canary
		"promoted: every step passed",                // ... promoted by its analysis (rollout watch)
		"operation 3 rolled back",                    // the bad canary (history)
		"does not meet result >= 0.99",               // ... and why
		`"version":"v2"`,                             // order answers as v2 afterwards
		"stopping the demo server and its instances", // clean stop
		" 0 failed",                                  // no request failed during the good canary
	} {
		if !strings.Contains(text, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("demo output:\n%s", text)
	}
}
