package ofrep

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/slipway-dev/slipway/flags"
)

// evaluateAll serves POST /ofrep/v1/evaluate/flags.
func (h *Handler) evaluateAll(w http.ResponseWriter, r *http.Request, c caller, _ string) {
	ctx, err := h.readContext(r)
	if err != nil {
		h.writeRequestError(w, err, "", false)
		return
	}
	// The version is read before evaluating (see Evaluator.Version): a
	// change in between makes the tag older than the answer, so the next
	// request re-evaluates; never the other way round.
	tag, err := bulkETag(h.cfg.Evaluator.Version(), c.key, ctx.Attributes)
	if err != nil {
		h.internal(w, err)
		return
	}
	w.Header().Set("ETag", tag)
	if noneMatch(r.Header.Values("If-None-Match"), tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	results, err := h.evaluateEvery(ctx)
	if err != nil {
		h.internal(w, err)
		return
	}
	buf := getBuffer()
	b := h.appendBulk(*buf, results)
	writeBody(w, http.StatusOK, b)
	putBuffer(buf, b)
}

// appendBulk appends bulkEvaluationSuccess: {"flags":[...],"eventStreams":[...]}.
// A flag whose value cannot be encoded is answered GENERAL, in its place.
func (h *Handler) appendBulk(b []byte, results []flags.Result) []byte {
	b = append(b, `{"flags":[`...)
	for i := range results {
		if i > 0 {
			b = append(b, ',')
		}
		next, err := appendResult(b, &results[i])
		if err != nil {
			h.cfg.Logger.Error("ofrep flag not encodable", "err", err)
			next = appendFailure(b, results[i].Key, string(flags.ErrGeneral), "the flag's value cannot be encoded as JSON")
		}
		b = next
	}
	b = append(b, ']')
	b = append(b, h.streams...)
	return append(b, '}', '\n')
}

// bulkETag is the strong ETag of a bulk answer: a hash of the
// configuration version, the evaluation key and the canonical JSON of the
// context (object keys sorted, numbers and strings as encoding/json
// writes them; no context is the empty object), each length-prefixed.
func bulkETag(version, key string, context map[string]any) (string, error) {
	buf := getBuffer()
	b := *buf
	defer func() { putBuffer(buf, b) }()
	b = binary.BigEndian.AppendUint64(b, uint64(len(version)))
	b = append(b, version...)
	b = binary.BigEndian.AppendUint64(b, uint64(len(key)))
	b = append(b, key...)
	b, err := appendObject(b, context)
	if err != nil {
		return "", fmt.Errorf("canonical context: %w", err)
	}
	sum := sha256.Sum256(b)
	var tag [34]byte
	tag[0], tag[33] = '"', '"'
	hex.Encode(tag[1:33], sum[:16])
	return string(tag[:]), nil
}

// noneMatch reports whether If-None-Match (its values, each a list)
// names tag or is "*". Comparison is weak (RFC 9110 13.1.2): W/ is ignored.
func noneMatch(values []string, tag string) bool {
	for _, v := range values {
		for t := range strings.SplitSeq(v, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == "*" || t == tag {
				return true
			}
		}
	}
	return false
}

// configTag names a configuration version on the event stream: a hash,
// so any version string is a safe SSE id.
func configTag(version string) string {
	sum := sha256.Sum256([]byte(version))
	return hex.EncodeToString(sum[:16])
}

// eventStreams is the ADR-0008 advertisement of the event stream, as a
// JSON member to follow "flags": an absolute url when the public URL is
// known, else an endpoint the client resolves against its OFREP base URL.
func eventStreams(publicURL string) []byte {
	s := eventStream{Type: "sse", Endpoint: &eventStreamEndpoint{RequestURI: PathEvents}}
	if publicURL != "" {
		s = eventStream{Type: "sse", URL: strings.TrimSuffix(publicURL, "/") + PathEvents}
	}
	raw, err := json.Marshal([]eventStream{s})
	if err != nil {
		panic(err) // strings only: cannot fail
	}
	return append([]byte(`,"eventStreams":`), raw...)
}
