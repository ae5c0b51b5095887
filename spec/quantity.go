package spec

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// unit is a Kubernetes quantity suffix and the bytes it stands for.
type unit struct {
	suffix string
	factor int64
}

// binaryUnits and decimalUnits are the suffixes a Quantity accepts,
// largest first so that String picks the shortest exact form.
var (
	binaryUnits = []unit{
		{"Ei", 1 << 60}, {"Pi", 1 << 50}, {"Ti", 1 << 40},
		{"Gi", 1 << 30}, {"Mi", 1 << 20}, {"Ki", 1 << 10},
	}
	decimalUnits = []unit{
		{"E", 1e18}, {"P", 1e15}, {"T", 1e12}, {"G", 1e9}, {"M", 1e6}, {"k", 1e3},
	}
)

// unitNames lists the accepted suffixes, for error messages.
const unitNames = "Ki, Mi, Gi, Ti, Pi, Ei, k, M, G, T, P, E"

// ParseQuantity parses a byte count written as a Kubernetes quantity:
// a number (decimals and exponents allowed, like 1.5Gi or 1e3) with an
// optional suffix Ki, Mi, Gi, Ti, Pi, Ei (powers of 1024) or k, M, G, T,
// P, E (powers of 1000). The result must be a whole number of bytes.
func ParseQuantity(s string) (Quantity, error) {
	num, suffix := splitQuantity(strings.TrimSpace(s))
	factor, ok := unitFactor(suffix)
	if !ok {
		return 0, fmt.Errorf("invalid quantity %q: unknown unit %q%s; valid units: %s",
			s, suffix, didYouMean(suffix, allSuffixes()), unitNames)
	}
	r, ok := parseNumber(num)
	if !ok {
		return 0, fmt.Errorf("invalid quantity %q: use a number with an optional unit, like 128Mi, 1Gi or 500M", s)
	}
	r.Mul(r, new(big.Rat).SetInt64(factor))
	if !r.IsInt() {
		return 0, fmt.Errorf("invalid quantity %q: not a whole number of bytes", s)
	}
	if !r.Num().IsInt64() {
		return 0, fmt.Errorf("invalid quantity %q: too large", s)
	}
	return Quantity(r.Num().Int64()), nil
}

// splitQuantity splits "1.5Gi" into "1.5" and "Gi". An exponent (1e3)
// ends in a digit, so it stays with the number.
func splitQuantity(s string) (num, suffix string) {
	i := len(s)
	for i > 0 && isLetter(s[i-1]) {
		i--
	}
	return s[:i], s[i:]
}

// parseNumber reads a decimal number with an optional exponent exactly.
// It refuses fractions (1/2) and exponents past 1e30, which big.Rat would
// accept but which only a fuzzer or an attacker writes.
func parseNumber(s string) (*big.Rat, bool) {
	if s == "" || strings.ContainsAny(s, "/xXoObB_") {
		return nil, false
	}
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		exp, err := strconv.Atoi(s[i+1:])
		if err != nil || exp > 30 || exp < -30 {
			return nil, false
		}
	}
	return new(big.Rat).SetString(s)
}

func isLetter(c byte) bool { return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }

// unitFactor returns the bytes a suffix stands for; "" is 1.
func unitFactor(suffix string) (int64, bool) {
	if suffix == "" {
		return 1, true
	}
	for _, u := range append(binaryUnits[:len(binaryUnits):len(binaryUnits)], decimalUnits...) {
		if u.suffix == suffix {
			return u.factor, true
		}
	}
	return 0, false
}

func allSuffixes() []string { return strings.Split(unitNames, ", ") }

// String formats the quantity in its shortest exact form: 128Mi, 500M,
// 1k, or a plain number of bytes.
func (q Quantity) String() string {
	best := strconv.FormatInt(int64(q), 10)
	if q == 0 {
		return best
	}
	for _, units := range [][]unit{binaryUnits, decimalUnits} {
		for _, u := range units {
			if int64(q)%u.factor == 0 {
				s := strconv.FormatInt(int64(q)/u.factor, 10) + u.suffix
				if len(s) < len(best) {
					best = s
				}
				break
			}
		}
	}
	return best
}

// UnmarshalYAML reads a quantity from a YAML scalar (128Mi, 1073741824);
// null is zero.
func (q *Quantity) UnmarshalYAML(n *yaml.Node) error {
	if isNull(n) {
		*q = 0
		return nil
	}
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("must be a quantity like 128Mi or 1Gi, got %s", describe(n))
	}
	v, err := ParseQuantity(n.Value)
	if err != nil {
		return err
	}
	*q = v
	return nil
}

// MarshalYAML writes the quantity in its short form (128Mi).
func (q Quantity) MarshalYAML() (any, error) { return q.String(), nil }

// MarshalJSON writes the quantity as a JSON integer number of bytes.
func (q Quantity) MarshalJSON() ([]byte, error) { return json.Marshal(int64(q)) }

// UnmarshalJSON reads a JSON integer number of bytes, or a string in
// quantity form ("128Mi") for hand-written JSON.
func (q *Quantity) UnmarshalJSON(b []byte) error {
	var n int64
	if err := json.Unmarshal(b, &n); err == nil {
		*q = Quantity(n)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("quantity must be an integer number of bytes: %w", err)
	}
	v, err := ParseQuantity(s)
	if err != nil {
		return err
	}
	*q = v
	return nil
}
