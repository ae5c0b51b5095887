package ofrep

import (
	"errors"
	"net/http"

	"github.com/slipway-dev/slipway/flags"
)

// This file is the one place where outcomes become HTTP statuses and
// OFREP error codes (see the table in doc.go).

// requestError is a request that cannot be evaluated as sent: 400 with
// PARSE_ERROR or INVALID_CONTEXT.
type requestError struct {
	code   flags.ErrorCode
	detail string
}

func (e *requestError) Error() string { return string(e.code) + ": " + e.detail }

// failed reports whether r is an evaluation error rather than a value.
func failed(r *flags.Result) bool {
	return r.ErrorCode != "" || r.Reason == flags.ReasonError
}

// resultStatus is the status of a one-flag answer that failed with code.
func resultStatus(code flags.ErrorCode) int {
	if code == flags.ErrFlagNotFound {
		return http.StatusNotFound
	}
	return http.StatusBadRequest
}

// wireError is the OFREP errorCode and errorDetails for a failed result:
// the codes the spec lists go through, any other (TYPE_MISMATCH, none)
// becomes GENERAL with the original code kept in the details.
func wireError(r *flags.Result) (code, detail string) {
	switch r.ErrorCode {
	case flags.ErrFlagNotFound, flags.ErrParse, flags.ErrTargetingKeyMissing,
		flags.ErrInvalidContext, flags.ErrGeneral:
		return string(r.ErrorCode), r.ErrorDetails
	case "":
		return string(flags.ErrGeneral), r.ErrorDetails
	default:
		return string(flags.ErrGeneral), joinDetail(string(r.ErrorCode), r.ErrorDetails)
	}
}

func joinDetail(code, detail string) string {
	if detail == "" {
		return code
	}
	return code + ": " + detail
}

// refuse answers a request whose key was not accepted.
func (h *Handler) refuse(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, ErrForbidden):
		w.WriteHeader(http.StatusForbidden)
	case errors.Is(err, ErrUnknownKey), errors.Is(err, errNoKey):
		w.Header().Set("WWW-Authenticate", `Bearer realm="ofrep"`)
		w.WriteHeader(http.StatusUnauthorized)
	default:
		h.internal(w, err)
	}
}

// internal answers 500 with OFREP's generalErrorResponse, and logs err
// (the client is told nothing of it: it may name the store or a context).
func (h *Handler) internal(w http.ResponseWriter, err error) {
	h.cfg.Logger.Error("ofrep request failed", "err", err)
	h.writeJSON(w, http.StatusInternalServerError, generalError{ErrorDetails: "internal error, logged by the server"})
}
