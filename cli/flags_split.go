package cli

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/spec"
)

// decimal is a percentage as written on the command line: digits, maybe
// a fraction. ParseFloat alone would also take "1e2", "inf" and "0x10".
var decimal = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// parseRollout reads the argument of `flags rollout`: a percentage for
// the variant that is not the default ("25%", "25", "0.5"), or a split
// naming every variant's share ("on=25,off=75"), checked as the server
// would so that bad input sends nothing.
func parseRollout(s string) (api.FlagRequest, error) {
	if !strings.Contains(s, "=") {
		if !decimal.MatchString(strings.TrimSuffix(s, "%")) {
			return api.FlagRequest{}, fmt.Errorf("rollout must be a percentage, like 25%% or 0.5, or a split, like on=25,off=75, not %q", s)
		}
		p, err := parsePercent(s)
		if err != nil {
			return api.FlagRequest{}, fmt.Errorf("rollout %w", err)
		}
		return api.FlagRequest{Percent: &p}, nil
	}
	split, err := parseSplit(s)
	if err != nil {
		return api.FlagRequest{}, fmt.Errorf("rollout %s: %w", s, err)
	}
	return api.FlagRequest{Split: split}, nil
}

// parseSplit reads "on=25,off=75": every variant once, each share a
// percentage, summing to 100.
func parseSplit(s string) (map[string]float64, error) {
	split := map[string]float64{}
	var total int64 // thousandths of a percent, as the spec counts them
	for entry := range strings.SplitSeq(s, ",") {
		name, share, ok := strings.Cut(entry, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("%q is not VARIANT=PERCENT, like on=25", entry)
		}
		if _, dup := split[name]; dup {
			return nil, fmt.Errorf("variant %s is named twice", name)
		}
		p, err := parsePercent(strings.TrimSpace(share))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		t, _ := spec.Thousandths(p)
		split[name], total = p, total+t
	}
	if total != 100_000 {
		return nil, fmt.Errorf("the shares add up to %s, want 100%%", percentText(float64(total)/1000))
	}
	return split, nil
}

// parsePercent reads "25", "25%" or "0.125": 0..100, up to three
// decimals (the precision bucketing has).
func parsePercent(s string) (float64, error) {
	num := strings.TrimSuffix(s, "%")
	if !decimal.MatchString(num) {
		return 0, fmt.Errorf("%q is not a percentage", s)
	}
	p, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a percentage", s)
	}
	if p < 0 || p > 100 {
		return 0, fmt.Errorf("%s is not a percentage: want 0..100", s)
	}
	if _, ok := spec.Thousandths(p); !ok {
		return 0, fmt.Errorf("%s has more than three decimals", s)
	}
	return p, nil
}
