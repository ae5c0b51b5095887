package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"syscall"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/image"
	"github.com/slipway-dev/slipway/notify"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// ErrUnavailable: a platform cannot answer now (a cluster's kubelets out
// of the API server's reach); the error says why. 502.
var ErrUnavailable = errors.New("unavailable")

// badRequest is a malformed request: bad JSON, a bad query parameter.
type badRequest struct{ msg string }

func (e badRequest) Error() string { return e.msg }

// unauthorized is a request without the right token.
type unauthorized struct{}

func (unauthorized) Error() string {
	return "this server requires a token: pass --token or set SLIPWAY_TOKEN"
}

// forbidden is a request refused for where it comes from (another site,
// a DNS-rebinding host name).
type forbidden struct{ msg string }

func (e forbidden) Error() string { return e.msg }

// tooManyRequests is a principal past its rate limit.
type tooManyRequests struct {
	who  string
	secs int
}

func (e tooManyRequests) Error() string {
	return e.who + " made too many requests: retry in " + strconv.Itoa(e.secs) + "s"
}

// unsupportedMedia is a request body that is not JSON.
type unsupportedMedia struct{ got string }

func (e unsupportedMedia) Error() string {
	return "request body must be JSON (Content-Type: application/json), got " + strconv.Quote(e.got)
}

// writeError is the one place where errors become HTTP statuses.
func writeError(w http.ResponseWriter, log *slog.Logger, err error) {
	status, body := classify(err)
	switch status {
	case http.StatusInternalServerError:
		log.Error("api request failed", "err", err)
	case http.StatusInsufficientStorage: // the operator must act
		log.Warn("api request refused: disk full", "err", err)
	}
	writeJSON(w, status, body)
}

func classify(err error) (int, api.ErrorBody) {
	var problems *spec.Problems
	var bad badRequest
	detail := api.ErrorDetail{Message: err.Error()}
	status := http.StatusInternalServerError
	switch {
	case errors.As(err, &problems):
		status, detail.Kind, detail.Problems = http.StatusUnprocessableEntity, api.KindInvalid, toProblems(*problems)
		detail.Message = "the spec has problems"
	case errors.As(err, &bad) || errors.Is(err, notify.ErrBadLink):
		status, detail.Kind = http.StatusBadRequest, api.KindInvalid
	case errors.As(err, new(unauthorized)):
		status, detail.Kind = http.StatusUnauthorized, api.KindUnauthorized
	case errors.As(err, new(forbidden)):
		status, detail.Kind = http.StatusForbidden, api.KindForbidden
	case errors.As(err, new(tooManyRequests)):
		status, detail.Kind = http.StatusTooManyRequests, api.KindRateLimited
	case errors.As(err, new(unsupportedMedia)):
		status, detail.Kind = http.StatusUnsupportedMediaType, api.KindInvalid
	case errors.Is(err, image.ErrUnknown) || errors.Is(err, image.ErrNotFound):
		status, detail.Kind = http.StatusNotFound, api.KindNotFound
	case errors.Is(err, image.ErrUnavailable) || errors.Is(err, ErrUnavailable):
		status, detail.Kind = http.StatusBadGateway, api.KindUnavailable
	case errors.Is(err, image.ErrUnauthorized) || errors.Is(err, image.ErrArchitecture) ||
		errors.Is(err, image.ErrInvalid) || errors.Is(err, image.ErrNoCommand):
		status, detail.Kind = http.StatusBadRequest, api.KindInvalid
	case errors.Is(err, store.ErrNotFound):
		status, detail.Kind = http.StatusNotFound, api.KindNotFound
	case errors.Is(err, store.ErrInvalid):
		status, detail.Kind = http.StatusBadRequest, api.KindInvalid
	case errors.Is(err, store.ErrConflict):
		status, detail.Kind = http.StatusConflict, api.KindConflict
	case errors.Is(err, store.ErrNoSpace) || errors.Is(err, syscall.ENOSPC):
		status, detail.Kind = http.StatusInsufficientStorage, api.KindUnavailable
		detail.Message = "the server's disk is full (its data folder): nothing was changed; free some space and retry"
	default: // the details go to the server's log, not to the client
		detail.Kind, detail.Message = api.KindInternal, "internal error; the server's log has the details"
	}
	return status, api.ErrorBody{Error: detail}
}

func toProblems(ps spec.Problems) []api.Problem {
	out := make([]api.Problem, len(ps))
	for i, p := range ps {
		out[i] = api.Problem{File: p.File, Line: p.Line, Column: p.Column, Path: p.Path, Message: p.Message}
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 8<<20))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	switch {
	case errors.Is(err, io.EOF):
		return badRequest{"request body: empty; want a JSON object"}
	case err != nil:
		return badRequest{"request body: " + err.Error()}
	}
	// One object, nothing after it: a second one would be ignored, and
	// whoever sent it meant something by it.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest{"request body: want one JSON object, found more after it"}
	}
	return nil
}
