package spec

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

// Period is a long duration written with days: 30d, 1d12h, 36h, or
// never. It says how long a flag may stay unchanged before it is stale.
type Period struct{ time.Duration }

// never is the Duration of Never: longer than any flag lives.
const never = time.Duration(math.MaxInt64)

// Never returns the period that never ends.
func Never() Period { return Period{never} }

// IsNever reports whether the period never ends.
func (p Period) IsNever() bool { return p.Duration == never }

// maxPeriodDays keeps a period in time.Duration's range (about 292 years).
const maxPeriodDays = 100_000

var periodDays = regexp.MustCompile(`^(\d+)d(.*)$`)

// ParsePeriod reads a period: a whole number of days followed by an
// optional duration (30d, 1d12h), a duration (36h, 90m), or never.
func ParsePeriod(s string) (Period, error) {
	if s == "never" {
		return Never(), nil
	}
	bad := fmt.Errorf("invalid period %q: use days and hours like 30d, 1d12h or 36h, or never", s)
	if s == "" {
		return Period{}, bad
	}
	var days int64
	rest := s
	if m := periodDays.FindStringSubmatch(s); m != nil {
		n, err := strconv.ParseInt(m[1], 10, 32)
		if err != nil || n > maxPeriodDays {
			return Period{}, bad
		}
		days, rest = n, m[2]
	}
	var d time.Duration
	if rest != "" {
		var err error
		if d, err = time.ParseDuration(rest); err != nil || (d < 0 && days > 0) {
			return Period{}, bad
		}
	}
	return Period{time.Duration(days)*Day + d}, nil
}

// String formats the period as ParsePeriod reads it: 30d, 1d12h, 36m, never.
func (p Period) String() string {
	if p.IsNever() {
		return "never"
	}
	days, rest := p.Duration/Day, p.Duration%Day
	switch {
	case days == 0 || p.Duration < 0:
		return Duration{p.Duration}.String()
	case rest == 0:
		return strconv.FormatInt(int64(days), 10) + "d"
	}
	return strconv.FormatInt(int64(days), 10) + "d" + Duration{rest}.String()
}

// UnmarshalYAML reads a period from a YAML scalar; null is zero.
func (p *Period) UnmarshalYAML(n *yaml.Node) error {
	if isNull(n) {
		*p = Period{}
		return nil
	}
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("must be a period like 30d or never, got %s", describe(n))
	}
	v, err := ParsePeriod(n.Value)
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// MarshalYAML writes the period as a string ("30d").
func (p Period) MarshalYAML() (any, error) { return p.String(), nil }

// MarshalJSON writes the period as a JSON string ("30d").
func (p Period) MarshalJSON() ([]byte, error) { return json.Marshal(p.String()) }

// UnmarshalJSON reads a period from a JSON string ("30d").
func (p *Period) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("period must be a string like \"30d\": %w", err)
	}
	v, err := ParsePeriod(s)
	if err != nil {
		return err
	}
	*p = v
	return nil
}
