package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/api"
)

func newFlagsEval(e *env) *cobra.Command {
	var evalCtx contextFlag
	cmd := e.flagCommand(`eval KEY [--context JSON|@FILE]`, "Evaluate a flag for an evaluation context, as OFREP would",
		"eval evaluates a flag on the server for an evaluation context, as an OFREP\n"+
			"client would get it, and shows the value, the variant and the reason\n"+
			"(STATIC, TARGETING_MATCH, SPLIT, DISABLED, DEFAULT). An evaluation that\n"+
			"fails (FLAG_NOT_FOUND, TARGETING_KEY_MISSING...) exits 1 with its error.\n\n"+
			"  slipway flags eval new-checkout --context '{\"targetingKey\":\"u1\",\"country\":\"NL\"}'\n"+
			"  slipway flags eval new-checkout --context @ctx.json")
	out := addOutputFlag(cmd)
	cmd.Flags().Var(&evalCtx, "context",
		`the evaluation context: a JSON object (targetingKey and attributes), or @FILE to read it from FILE`)
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		ev, err := e.client().EvaluateFlag(cmd.Context(), args[0], evalCtx.object())
		if err != nil {
			return err
		}
		if *out == outputJSON {
			if err := printJSON(e.stdout, ev); err != nil {
				return err
			}
		} else {
			printEvaluation(e.stdout, ev)
		}
		return evaluationError(ev)
	})
	return cmd
}

// printEvaluation writes what an evaluation served and why; its error,
// if any, is the command's (see evaluationError).
func printEvaluation(w io.Writer, ev api.FlagEvaluation) {
	t := newTable(w)
	fmt.Fprintf(t, "flag:\t%s\n", ev.Key)
	if ev.ErrorCode == "" {
		fmt.Fprintf(t, "value:\t%s\n", jsonText(ev.Value))
		fmt.Fprintf(t, "variant:\t%s\n", orDash(ev.Variant))
	}
	fmt.Fprintf(t, "reason:\t%s\n", orDash(ev.Reason))
	t.Flush()
}

// evaluationError is a failed evaluation as an error: its code and
// details.
func evaluationError(ev api.FlagEvaluation) error {
	if ev.ErrorCode == "" {
		return nil
	}
	if ev.ErrorDetails == "" {
		return errors.New(ev.ErrorCode)
	}
	return fmt.Errorf("%s: %s", ev.ErrorCode, ev.ErrorDetails)
}

// contextFlag is the value of --context: a JSON object given inline or
// read from @FILE. It is parsed as the flag is set, so that bad JSON is
// a usage error and nothing is sent.
type contextFlag struct {
	raw string
	obj map[string]any
}

// String implements pflag.Value.
func (c *contextFlag) String() string { return c.raw }

// Type implements pflag.Value.
func (c *contextFlag) Type() string { return "JSON|@FILE" }

// Set implements pflag.Value: it reads @FILE, and decodes one JSON
// object, keeping numbers as written (a large user ID stays exact).
func (c *contextFlag) Set(s string) error {
	text := []byte(s)
	if file, ok := strings.CutPrefix(s, "@"); ok {
		var err error
		if text, err = os.ReadFile(file); err != nil {
			return fmt.Errorf("read context: %w", err)
		}
	}
	obj, err := decodeObject(text)
	if err != nil {
		return fmt.Errorf("the evaluation context must be a JSON object, like '{\"targetingKey\":\"u1\"}': %w", err)
	}
	c.raw, c.obj = s, obj
	return nil
}

// object is the context to send: empty when none was given.
func (c *contextFlag) object() map[string]any {
	if c.obj == nil {
		return map[string]any{}
	}
	return c.obj
}

// decodeObject decodes text as exactly one JSON object.
func decodeObject(text []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, err
	}
	if obj == nil {
		return nil, errors.New("got null")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("more after the object")
	}
	return obj, nil
}
