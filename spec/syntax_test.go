package spec

import (
	"errors"
	"strings"
	"testing"
)

func TestSyntaxErrorLines(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		line int
		msg  string
	}{
		{"unclosed flow sequence", "app: shop\nservices:\n  order:\n    run: [\"./bin/order\", \"--port\"\n    instances: 2\n", 4, "not closed"},
		{"unclosed flow mapping", "app: shop\nservices:\n  order:\n    run: [./o]\n    env: {A: b\n    instances: 2\n", 5, "not closed"},
		{"bad indentation", "app: shop\nservices:\n  order:\n    run: [./o]\n   instances: 2\n", 5, "indentation"},
		{"too deep", "app: shop\nservices:\n  order:\n    run: [./o]\n      instances: 2\n", 5, ""},
		{"unterminated quote", "app: shop\nservices:\n  order:\n    run: [\"./o]\n", 4, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("slipway.yaml", []byte(tc.yaml))
			var ps *Problems
			if !errors.As(err, &ps) || len(*ps) != 1 {
				t.Fatalf("err %v, want one problem", err)
			}
			p := (*ps)[0]
			if p.Line != tc.line || !strings.Contains(p.Message, tc.msg) {
				t.Fatalf("problem %s, want line %d mentioning %q", p, tc.line, tc.msg)
			}
		})
	}
}

func TestBlueGreenStrategy(t *testing.T) {
	base := "app: shop\nservices:\n  order:\n    run: [./o]\n    strategy:\n"
	tests := []struct {
		name, strategy string
		line           int
		msg            string
	}{
		{"both strategies", "      rolling: {maxSurge: 1}\n      blueGreen: {}\n", 5, "set one strategy"},
		{"rolling field in blue/green", "      blueGreen: {maxSurge: 1}\n", 6, `unknown field "maxSurge"`},
		{"bad header", "      blueGreen: {previewHeader: \"X Preview\"}\n", 6, "invalid header name"},
		{"negative delay", "      blueGreen: {scaleDownDelay: -1s}\n", 6, "scaleDownDelay"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("slipway.yaml", []byte(base+tc.strategy))
			var ps *Problems
			if !errors.As(err, &ps) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err %v, want a problem mentioning %q", err, tc.msg)
			}
			if (*ps)[0].Line != tc.line {
				t.Fatalf("problem on line %d, want %d: %v", (*ps)[0].Line, tc.line, err)
			}
		})
	}
	app, err := Parse("slipway.yaml", []byte(base+"      blueGreen: {}\n"))
	if err != nil {
		t.Fatal(err)
	}
	bg := app.Services["order"].Strategy.BlueGreen
	if bg.PreviewHeader != "X-Slipway-Preview" || bg.ScaleDownDelay.Duration != DefaultScaleDownDelay || app.Services["order"].Strategy.Rolling != nil {
		t.Fatalf("defaults %+v, rolling %v", bg, app.Services["order"].Strategy.Rolling)
	}
}
