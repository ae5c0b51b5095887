package ofrep

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"

	"github.com/slipway-dev/slipway/flags"
)

// evaluationRequest is OFREP's evaluationRequest and bulkEvaluationRequest.
type evaluationRequest struct {
	Context any `json:"context"`
}

// readContext reads the request's evaluation context; its Attributes
// are the decoded context object (nil if none).
func (h *Handler) readContext(r *http.Request) (flags.Context, error) {
	buf := getBuffer()
	raw, err := readLimited(*buf, r.Body, h.cfg.MaxBody)
	defer putBuffer(buf, raw) // Unmarshal copies what it keeps
	if err != nil {
		return flags.Context{}, err
	}
	body := bytes.TrimSpace(raw)
	if len(body) == 0 {
		return flags.Context{}, nil
	}
	var req evaluationRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return flags.Context{}, &requestError{flags.ErrParse, "request body: " + err.Error()}
	}
	return toContext(req.Context)
}

// toContext checks a decoded "context" and makes a flags.Context of it.
// The targeting key stays among the attributes too, so rules can read it.
func toContext(v any) (flags.Context, error) {
	if v == nil {
		return flags.Context{}, nil
	}
	attrs, ok := v.(map[string]any)
	if !ok {
		return flags.Context{}, &requestError{flags.ErrInvalidContext, fmt.Sprintf("context must be a JSON object, not %s", jsonKind(v))}
	}
	c := flags.Context{Attributes: attrs}
	switch tk := attrs["targetingKey"].(type) {
	case nil:
	case string:
		c.TargetingKey = tk
	default:
		return flags.Context{}, &requestError{flags.ErrInvalidContext, fmt.Sprintf("context.targetingKey must be a string, not %s", jsonKind(tk))}
	}
	return c, nil
}

// readLimited appends body to b, failing with PARSE_ERROR past limit
// bytes.
func readLimited(b []byte, body io.Reader, limit int64) ([]byte, error) {
	if body == nil {
		return b, nil
	}
	for {
		if int64(len(b)) > limit {
			return b, &requestError{flags.ErrParse, fmt.Sprintf("request body larger than %d bytes", limit)}
		}
		if len(b) == cap(b) {
			b = slices.Grow(b, int(min(int64(cap(b)), limit+1-int64(len(b)))))
		}
		n, err := body.Read(b[len(b):min(int64(cap(b)), limit+1)])
		b = b[:len(b)+n]
		switch {
		case errors.Is(err, io.EOF):
			return b, nil
		case err != nil: // the client's connection, not our fault
			return b, &requestError{flags.ErrParse, "read request body: " + err.Error()}
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
	case map[string]any:
		return "an object"
	default:
		return fmt.Sprintf("%T", v)
	}
}
