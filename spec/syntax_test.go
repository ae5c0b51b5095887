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
