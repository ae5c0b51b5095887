package flags

// Context is an evaluation context: the attributes rules read (country,
// plan, email, SLIPWAY_SERVICE...), plus the targeting key that
// identifies the subject (a user id) and drives percentage splits.
// Values are what JSON decodes to: string, float64, bool, nil,
// []any, map[string]any.
type Context struct {
	TargetingKey string
	Attributes   map[string]any
}

// Reason says why an evaluation returned its value, with OFREP's names.
type Reason string

// Reasons, as OpenFeature and OFREP spell them.
const (
	ReasonStatic         Reason = "STATIC"          // no rule or split applies: the default, always
	ReasonDefault        Reason = "DEFAULT"         // rules and split did not match: the default
	ReasonTargetingMatch Reason = "TARGETING_MATCH" // a rule (or prerequisite-gated rule) matched
	ReasonSplit          Reason = "SPLIT"           // the percentage split chose the variant
	ReasonDisabled       Reason = "DISABLED"        // the flag is off (or killed): its off variant
	ReasonError          Reason = "ERROR"           // see ErrorCode
)

// ErrorCode says why an evaluation failed, with OFREP's names.
type ErrorCode string

// Error codes, as OFREP spells them.
const (
	ErrFlagNotFound        ErrorCode = "FLAG_NOT_FOUND"
	ErrParse               ErrorCode = "PARSE_ERROR"
	ErrTypeMismatch        ErrorCode = "TYPE_MISMATCH"
	ErrTargetingKeyMissing ErrorCode = "TARGETING_KEY_MISSING"
	ErrInvalidContext      ErrorCode = "INVALID_CONTEXT"
	ErrGeneral             ErrorCode = "GENERAL"
)

// Result is one flag's evaluation.
type Result struct {
	Key string
	// Value is the variant's value (bool, string, float64 or int64,
	// map[string]any, []any); nil on error. An object's map is shared
	// by every evaluation of the Set: read it, never change it.
	Value   any
	Variant string
	Reason  Reason
	// ErrorCode and ErrorDetails are set when Reason is ReasonError.
	ErrorCode    ErrorCode
	ErrorDetails string
	// Metadata is the flag's metadata (class, owner...), for clients.
	Metadata map[string]any
}
