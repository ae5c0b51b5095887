package ofrep

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// evaluateAll serves POST /ofrep/v1/evaluate/flags.
func (h *Handler) evaluateAll(w http.ResponseWriter, r *http.Request, c caller, _ string) {
	ctx, attrs, err := h.readContext(r)
	if err != nil {
		h.writeRequestError(w, err, "", false)
		return
	}
	// The version is read before evaluating (see Evaluator.Version): a
	// change in between makes the tag older than the answer, so the next
	// request re-evaluates; never the other way round.
	tag, err := bulkETag(h.cfg.Evaluator.Version(), c.key, attrs)
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
	out := bulkSuccess{Flags: make([]any, len(results)), EventStreams: h.streams}
	for i := range results {
		out.Flags[i] = toWire(&results[i])
	}
	h.writeJSON(w, http.StatusOK, &out)
}

// bulkETag is the strong ETag of a bulk answer: a hash of the
// configuration version, the evaluation key and the canonical JSON of the
// context (encoding/json sorts object keys and normalises numbers and
// strings), each length-prefixed.
func bulkETag(version, key string, context map[string]any) (string, error) {
	canonical, err := json.Marshal(context)
	if err != nil {
		return "", fmt.Errorf("canonical context: %w", err)
	}
	d := sha256.New()
	for _, part := range [][]byte{[]byte(version), []byte(key), canonical} {
		_, _ = d.Write(binary.BigEndian.AppendUint64(nil, uint64(len(part))))
		_, _ = d.Write(part)
	}
	return `"` + hex.EncodeToString(d.Sum(nil)[:16]) + `"`, nil
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

// eventStreams is the ADR-0008 advertisement of the event stream: an
// absolute url when the public URL is known, else an endpoint the client
// resolves against its OFREP base URL.
func eventStreams(publicURL string) []eventStream {
	if publicURL != "" {
		return []eventStream{{Type: "sse", URL: strings.TrimSuffix(publicURL, "/") + PathEvents}}
	}
	return []eventStream{{Type: "sse", Endpoint: &eventStreamEndpoint{RequestURI: PathEvents}}}
}
