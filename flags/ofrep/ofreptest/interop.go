package ofreptest

import (
	"context"
	"reflect"
	"slices"
	"testing"

	ofrepprovider "github.com/open-feature/go-sdk-contrib/providers/ofrep"
	of "github.com/open-feature/go-sdk/openfeature"
	"github.com/open-feature/go-sdk/openfeature/isolated"
)

// Target is an OFREP server to check.
type Target struct {
	URL  string   // OFREP base URL, e.g. http://127.0.0.1:7070
	Key  string   // evaluation key; empty if the target serves anonymous requests
	Skip []string // names of cases the target cannot produce
}

// Kind is the SDK call a case makes.
type Kind int

// The five OpenFeature flag types.
const (
	Boolean Kind = iota
	String
	Int
	Float
	Object
)

// Case is one evaluation through the SDK and what it must give.
type Case struct {
	Name     string
	Flag     string
	Kind     Kind
	Context  of.EvaluationContext
	Default  any // the code default, of Kind's Go type
	Value    any // the value the SDK must return
	Reason   of.Reason
	Variant  string
	Error    of.ErrorCode   // empty for success
	Metadata map[string]any // entries the flag metadata must have
}

// Cases are the interop checks: every type, every reason, every error
// code as the SDK reports it.
func Cases() []Case {
	none := of.NewTargetlessEvaluationContext(nil)
	nl := of.NewEvaluationContext("user-1", map[string]any{"country": "NL"})
	be := of.NewEvaluationContext("user-2", map[string]any{"country": "BE"})
	inBlue := of.NewEvaluationContext("user-2", nil) // 50/50 split: user-2 buckets into blue
	return []Case{
		{Name: "boolean", Flag: "bool-flag", Kind: Boolean, Context: none, Default: false, Value: true, Reason: of.StaticReason, Variant: "on",
			Metadata: map[string]any{"owner": "payments-team", "class": "release"}},
		{Name: "string", Flag: "string-flag", Kind: String, Context: none, Default: "", Value: "hello", Reason: of.StaticReason, Variant: "greeting"},
		{Name: "integer", Flag: "int-flag", Kind: Int, Context: none, Default: int64(0), Value: int64(42), Reason: of.StaticReason, Variant: "answer"},
		{Name: "float", Flag: "float-flag", Kind: Float, Context: none, Default: 0.0, Value: 3.25, Reason: of.StaticReason, Variant: "pi-ish"},
		{Name: "integer read as float", Flag: "int-flag", Kind: Float, Context: none, Default: 0.0, Value: 42.0, Reason: of.StaticReason, Variant: "answer"},
		{Name: "object", Flag: "object-flag", Kind: Object, Context: none, Default: map[string]any{}, Value: map[string]any{"color": "red", "size": 3.0}, Reason: of.StaticReason, Variant: "red"},
		{Name: "targeting match", Flag: "targeted", Kind: Boolean, Context: nl, Default: false, Value: true, Reason: of.TargetingMatchReason, Variant: "on"},
		{Name: "default", Flag: "targeted", Kind: Boolean, Context: be, Default: true, Value: false, Reason: of.DefaultReason, Variant: "off"},
		{Name: "split", Flag: "split", Kind: String, Context: inBlue, Default: "none", Value: "blue", Reason: of.SplitReason, Variant: "blue"},
		// The provider answers a disabled flag with the code default.
		{Name: "disabled", Flag: "disabled", Kind: Boolean, Context: none, Default: true, Value: true, Reason: of.DisabledReason, Variant: "off"},

		{Name: "FLAG_NOT_FOUND", Flag: "no-such-flag", Kind: Boolean, Context: none, Default: true, Value: true, Reason: of.ErrorReason, Error: of.FlagNotFoundCode},
		{Name: "TARGETING_KEY_MISSING", Flag: "split", Kind: String, Context: of.NewTargetlessEvaluationContext(map[string]any{"country": "NL"}), Default: "none", Value: "none", Reason: of.ErrorReason, Error: of.TargetingKeyMissingCode},
		// OFREP has no flag type in requests: the client finds mismatches.
		{Name: "TYPE_MISMATCH", Flag: "bool-flag", Kind: String, Context: none, Default: "x", Value: "x", Reason: of.ErrorReason, Error: of.TypeMismatchCode},
		{Name: "TYPE_MISMATCH float as integer", Flag: "float-flag", Kind: Int, Context: none, Default: int64(7), Value: int64(7), Reason: of.ErrorReason, Error: of.TypeMismatchCode},
		{Name: "PARSE_ERROR", Flag: "parse-error", Kind: Boolean, Context: none, Default: true, Value: true, Reason: of.ErrorReason, Error: of.ParseErrorCode},
		{Name: "INVALID_CONTEXT", Flag: "invalid-context", Kind: Boolean, Context: none, Default: true, Value: true, Reason: of.ErrorReason, Error: of.InvalidContextCode},
		{Name: "GENERAL", Flag: "general-error", Kind: Boolean, Context: none, Default: true, Value: true, Reason: of.ErrorReason, Error: of.GeneralCode},
		// The server's TYPE_MISMATCH is not OFREP's: it arrives as GENERAL.
		{Name: "server TYPE_MISMATCH", Flag: "type-mismatch", Kind: Boolean, Context: none, Default: true, Value: true, Reason: of.ErrorReason, Error: of.GeneralCode},
	}
}

// Run checks target with the SDK: every case, with each way of passing
// the key, and a wrong key (refused: GENERAL).
func Run(t *testing.T, target Target) {
	auths := map[string][]ofrepprovider.Option{"anonymous": nil}
	if target.Key != "" {
		auths = map[string][]ofrepprovider.Option{
			"bearer":    {ofrepprovider.WithBearerToken(target.Key)},
			"X-API-Key": {ofrepprovider.WithApiKeyAuth(target.Key)},
		}
		t.Run("wrong key", func(t *testing.T) {
			client := newClient(t, target.URL, ofrepprovider.WithBearerToken(target.Key+"-wrong"))
			check(t, client, Case{Flag: "bool-flag", Kind: Boolean, Context: of.NewTargetlessEvaluationContext(nil),
				Default: false, Value: false, Reason: of.ErrorReason, Error: of.GeneralCode})
		})
	}
	for name, opts := range auths {
		t.Run(name, func(t *testing.T) {
			client := newClient(t, target.URL, opts...)
			for _, c := range Cases() {
				t.Run(c.Name, func(t *testing.T) {
					if slices.Contains(target.Skip, c.Name) {
						t.Skip("the target cannot produce this case")
					}
					check(t, client, c)
				})
			}
		})
	}
}

// newClient is an SDK client of its own API instance (not the global one)
// over an OFREP provider for url.
func newClient(t *testing.T, url string, opts ...ofrepprovider.Option) *of.Client {
	t.Helper()
	api := isolated.NewAPI()
	t.Cleanup(func() { _ = api.Shutdown(context.Background()) })
	if err := api.SetProviderAndWait(t.Context(), ofrepprovider.NewProvider(url, opts...)); err != nil {
		t.Fatalf("set provider: %v", err)
	}
	return api.NewClient()
}

// check evaluates c and compares what the SDK reports.
func check(t *testing.T, client *of.Client, c Case) {
	t.Helper()
	value, d, err := evaluate(t.Context(), client, c)
	if (err != nil) != (c.Error != "") {
		t.Errorf("err = %v, want error %q", err, c.Error)
	}
	if !reflect.DeepEqual(value, c.Value) {
		t.Errorf("value = %#v, want %#v", value, c.Value)
	}
	if d.Reason != c.Reason || d.Variant != c.Variant || d.ErrorCode != c.Error {
		t.Errorf("reason %q, variant %q, error %q (%s); want %q, %q, %q",
			d.Reason, d.Variant, d.ErrorCode, d.ErrorMessage, c.Reason, c.Variant, c.Error)
	}
	for k, v := range c.Metadata {
		if got := d.FlagMetadata[k]; got != v {
			t.Errorf("metadata %s = %#v, want %#v", k, got, v)
		}
	}
}

// evaluate makes c's typed SDK call.
func evaluate(ctx context.Context, client *of.Client, c Case) (any, of.EvaluationDetails, error) {
	switch c.Kind {
	case Boolean:
		d, err := client.BooleanValueDetails(ctx, c.Flag, c.Default.(bool), c.Context)
		return d.Value, d.EvaluationDetails, err
	case String:
		d, err := client.StringValueDetails(ctx, c.Flag, c.Default.(string), c.Context)
		return d.Value, d.EvaluationDetails, err
	case Int:
		d, err := client.IntValueDetails(ctx, c.Flag, c.Default.(int64), c.Context)
		return d.Value, d.EvaluationDetails, err
	case Float:
		d, err := client.FloatValueDetails(ctx, c.Flag, c.Default.(float64), c.Context)
		return d.Value, d.EvaluationDetails, err
	default:
		d, err := client.ObjectValueDetails(ctx, c.Flag, c.Default, c.Context)
		return d.Value, d.EvaluationDetails, err
	}
}
