package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Headers of a webhook delivery.
const (
	// HeaderSignature is "t=UNIX,v1=HEX": HEX is the lower-case hex
	// HMAC-SHA256, under the destination's key, of "UNIX." followed by the
	// request body as sent, UNIX being the time of sending in seconds.
	HeaderSignature = "Slipway-Signature"
	// HeaderEventID is the event's ID (ENV-SEQ): the same for every
	// attempt of one event, so a receiver de-duplicates by it.
	HeaderEventID = "Slipway-Event-Id"
	// HeaderEventType is the event's type (promotion.approval.waiting).
	HeaderEventType = "Slipway-Event-Type"
)

// DefaultTolerance is how old a signature Verify accepts: a captured
// request replayed later is refused.
const DefaultTolerance = 5 * time.Minute

// Sign returns the Slipway-Signature header value of body sent at t.
func Sign(key, body []byte, t time.Time) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + mac(key, ts, body)
}

func mac(key []byte, ts string, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Verify checks a Slipway-Signature header against body, as a receiver
// does: the HMAC must match (compared in constant time) and the
// timestamp be within tolerance of now. A receiver in another language
// does the same: split the header at commas, take t and v1, compute
// hex(HMAC-SHA256(key, t + "." + body)) and compare.
func Verify(key, body []byte, header string, now time.Time, tolerance time.Duration) error {
	var ts, sig string
	for part := range strings.SplitSeq(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return errors.New("malformed signature header: want t=UNIX,v1=HEX")
	}
	if !hmac.Equal([]byte(sig), []byte(mac(key, ts, body))) {
		return errors.New("signature does not match the body")
	}
	if age := now.Sub(time.Unix(sec, 0)); age > tolerance || age < -tolerance {
		return fmt.Errorf("signature timestamp is %s from now, more than %s", age.Round(time.Second), tolerance)
	}
	return nil
}
