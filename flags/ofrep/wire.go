package ofrep

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"
)

// OFREP's wire shapes (service/openapi.yaml), as this server writes them.

// success is evaluationSuccess. A nil Value is left out: ADR-0006's
// "use the code default".
type success struct {
	Key      string         `json:"key"`
	Value    any            `json:"value,omitempty"`
	Reason   string         `json:"reason,omitempty"`
	Variant  string         `json:"variant,omitempty"`
	Metadata map[string]any `json:"metadata,omitempty"`
}

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

// bulkSuccess is bulkEvaluationSuccess; each flag is a success or a failure.
type bulkSuccess struct {
	Flags        []any         `json:"flags"`
	EventStreams []eventStream `json:"eventStreams,omitempty"`
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

// buffers holds response buffers between requests.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// writeJSON writes v as the whole answer. A value that cannot be encoded
// (a result holding a channel, say) is a 500, written before any header.
func (h *Handler) writeJSON(w http.ResponseWriter, status int, v any) {
	buf := buffers.Get().(*bytes.Buffer)
	defer putBuffer(buf)
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		h.cfg.Logger.Error("ofrep answer not encodable", "err", err)
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"errorDetails":"the answer could not be encoded as JSON"}` + "\n")
	}
	w.Header()["Content-Type"] = jsonType
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes()) // a client gone mid-answer is not our error
}

var jsonType = []string{"application/json"}

// putBuffer returns buf to the pool unless it grew large (a big bulk
// answer), which would pin that memory.
func putBuffer(buf *bytes.Buffer) {
	if buf.Cap() > 256<<10 {
		return
	}
	buf.Reset()
	buffers.Put(buf)
}
