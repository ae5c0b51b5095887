package flags

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"strconv"
)

// Buckets is how many buckets a rollout cuts: a bucket is a thousandth
// of a percent, so shares may have three decimals (0.125%).
const Buckets = 100_000

// Bucket returns the bucket, in [0, Buckets), of a subject whose
// stickiness value is value, for the flag key: the first 8 bytes of
// SHA-256(key + "/" + value), as a big-endian unsigned integer, modulo
// Buckets. docs/flags-bucketing.md is the specification, with test
// vectors; it never changes, or every subject would move.
func Bucket(key, value string) int {
	// A stack buffer keeps the hash input off the heap for the keys and
	// values of real life; longer ones take the allocating path.
	var buf [256]byte
	in := append(buf[:0], key...)
	in = append(in, '/')
	return bucketOf(append(in, value...))
}

// bucketOf returns the bucket of a hash input, key/value.
func bucketOf(in []byte) int {
	sum := sha256.Sum256(in)
	return int(binary.BigEndian.Uint64(sum[:8]) % Buckets)
}

// split is a compiled percentage rollout: the variants with a share
// above zero, in variant-name order, and where each one's range of
// buckets ends. Variant i takes the buckets [ends[i-1], ends[i]).
type split struct {
	variants []int // indexes into the flag's variants
	ends     []int
}

// newSplit cuts the buckets into consecutive ranges, one per variant
// with a share, in the order of names (sorted), sized by shares in
// thousandths of a percent (summing to Buckets).
func newSplit(names []string, shares map[string]int64) split {
	var s split
	end := 0
	for i, name := range names {
		if shares[name] <= 0 {
			continue
		}
		end += int(shares[name])
		s.variants = append(s.variants, i)
		s.ends = append(s.ends, end)
	}
	return s
}

// empty reports whether there is no split.
func (s split) empty() bool { return len(s.variants) == 0 }

// only returns the variant that takes every bucket, if one does: then
// no bucket is needed.
func (s split) only() (int, bool) {
	if len(s.variants) == 1 {
		return s.variants[0], true
	}
	return 0, false
}

// pick returns the variant whose range holds bucket b.
func (s split) pick(b int) int {
	for i, end := range s.ends {
		if b < end {
			return s.variants[i]
		}
	}
	return s.variants[len(s.variants)-1] // unreachable: ends sum to Buckets
}

// stickyValue appends the stickiness value of c to buf: the attribute's
// value as text, a string as is, a whole number in decimal (a JSON
// number up to 2^53, or a Go int). ok is false when the attribute is
// missing, an empty string, or anything else (a fraction, a boolean, a
// list): those do not identify a subject.
func stickyValue(c Context, attr string, buf []byte) ([]byte, bool) {
	v, ok := c.attribute(attr)
	if !ok {
		return nil, false
	}
	switch x := v.(type) {
	case string:
		return append(buf, x...), x != ""
	case int:
		return strconv.AppendInt(buf, int64(x), 10), true
	case int64:
		return strconv.AppendInt(buf, x, 10), true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) <= 1<<53 {
			return strconv.AppendInt(buf, int64(x), 10), true
		}
	}
	return nil, false
}
