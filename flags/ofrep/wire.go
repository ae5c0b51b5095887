package ofrep

import (
	"encoding/json"
	"net/http"
	"sync"
)

// OFREP's wire shapes (service/openapi.yaml) for the answers that are
// not on the hot path; evaluationSuccess and bulkEvaluationSuccess are
// written by encode.go.

// failure is evaluationFailure and flagNotFound.
type failure struct {
	Key          string `json:"key"`
	ErrorCode    string `json:"errorCode"`
	ErrorDetails string `json:"errorDetails,omitempty"`
}

// bulkFailure is bulkEvaluationFailure: the request, not a flag, failed.
type bulkFailure struct {
	ErrorCode    string `json:"errorCode"`
	ErrorDetails string `json:"errorDetails,omitempty"`
}

// generalError is generalErrorResponse (500).
type generalError struct {
	ErrorDetails string `json:"errorDetails"`
}

// eventStream is ADR-0008's eventStream: one of URL and Endpoint.
type eventStream struct {
	Type     string               `json:"type"`
	URL      string               `json:"url,omitempty"`
	Endpoint *eventStreamEndpoint `json:"endpoint,omitempty"`
}

// eventStreamEndpoint is resolved against the client's OFREP base URL.
type eventStreamEndpoint struct {
	RequestURI string `json:"requestUri"`
}

// buffers holds request and answer buffers between requests.
var buffers = sync.Pool{New: func() any {
	b := make([]byte, 0, 4096)
	return &b
}}

// getBuffer returns an empty buffer from the pool.
func getBuffer() *[]byte { return buffers.Get().(*[]byte) }

// putBuffer returns p to the pool, holding b (which grew from it), unless
// b grew large (a big bulk answer), which would pin that memory.
func putBuffer(p *[]byte, b []byte) {
	if cap(b) > 256<<10 {
		return
	}
	*p = b[:0]
	buffers.Put(p)
}

// writeJSON writes v as the whole answer. A value that cannot be encoded
// (a result holding a channel, say) is a 500, written before any header.
func (h *Handler) writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		h.cfg.Logger.Error("ofrep answer not encodable", "err", err)
		status = http.StatusInternalServerError
		body = []byte(`{"errorDetails":"the answer could not be encoded as JSON"}`)
	}
	writeBody(w, status, append(body, '\n'))
}

// writeBody writes an answer already encoded as JSON.
func writeBody(w http.ResponseWriter, status int, body []byte) {
	w.Header()["Content-Type"] = jsonType
	w.WriteHeader(status)
	_, _ = w.Write(body) // a client gone mid-answer is not our error
}

// jsonType is shared by every answer's header, to save an allocation;
// nothing modifies a header value in place.
var jsonType = []string{"application/json"}
