package ofrep

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/slipway-dev/slipway/flags"
)

// evaluationRequest is OFREP's evaluationRequest and bulkEvaluationRequest.
type evaluationRequest struct {
	Context any `json:"context"`
}

// readContext reads the request's evaluation context. It returns the
// decoded context object too (nil if none), for the bulk ETag.
func (h *Handler) readContext(r *http.Request) (flags.Context, map[string]any, error) {
	buf := buffers.Get().(*bytes.Buffer)
	defer putBuffer(buf)
	if err := readLimited(buf, r.Body, h.cfg.MaxBody); err != nil {
		return flags.Context{}, nil, err
	}
	body := bytes.TrimSpace(buf.Bytes())
	if len(body) == 0 {
		return flags.Context{}, nil, nil
	}
	var req evaluationRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return flags.Context{}, nil, &requestError{flags.ErrParse, "request body: " + err.Error()}
	}
	return toContext(req.Context)
}

// toContext checks a decoded "context" and makes a flags.Context of it.
// The targeting key stays among the attributes too, so rules can read it.
func toContext(v any) (flags.Context, map[string]any, error) {
	if v == nil {
		return flags.Context{}, nil, nil
	}
	attrs, ok := v.(map[string]any)
	if !ok {
		return flags.Context{}, nil, &requestError{flags.ErrInvalidContext, fmt.Sprintf("context must be a JSON object, not %s", jsonKind(v))}
	}
	c := flags.Context{Attributes: attrs}
	switch tk := attrs["targetingKey"].(type) {
	case nil:
	case string:
		c.TargetingKey = tk
	default:
		return flags.Context{}, nil, &requestError{flags.ErrInvalidContext, fmt.Sprintf("context.targetingKey must be a string, not %s", jsonKind(tk))}
	}
	return c, attrs, nil
}

// readLimited reads body into buf, failing with PARSE_ERROR past limit
// bytes.
func readLimited(buf *bytes.Buffer, body io.Reader, limit int64) error {
	if body == nil {
		return nil
	}
	for {
		if int64(buf.Len()) > limit {
			return &requestError{flags.ErrParse, fmt.Sprintf("request body larger than %d bytes", limit)}
		}
		buf.Grow(4096)
		n, err := body.Read(buf.AvailableBuffer()[:min(int64(buf.Available()), limit+1-int64(buf.Len()))])
		buf.Write(buf.AvailableBuffer()[:n])
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case err != nil: // the client's connection, not our fault
			return &requestError{flags.ErrParse, "read request body: " + err.Error()}
		}
	}
}

func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	default:
		return fmt.Sprintf("%T", v)
	}
}
