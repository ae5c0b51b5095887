package ofrep

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/slipway-dev/slipway/flags"
)

// evaluateOne serves POST /ofrep/v1/evaluate/flags/{key}.
func (h *Handler) evaluateOne(w http.ResponseWriter, r *http.Request, _ caller, key string) {
	c, err := h.readContext(r)
	if err != nil {
		h.writeRequestError(w, err, key, true)
		return
	}
	res, err := h.evaluate(key, c)
	if err != nil {
		h.internal(w, err)
		return
	}
	if failed(&res) {
		code, detail := wireError(&res)
		h.writeJSON(w, resultStatus(res.ErrorCode), &failure{Key: key, ErrorCode: code, ErrorDetails: detail})
		return
	}
	buf := getBuffer()
	b, err := appendSuccess(*buf, key, &res)
	if err != nil {
		putBuffer(buf, *buf)
		h.internal(w, err)
		return
	}
	b = append(b, '\n')
	writeBody(w, http.StatusOK, b)
	putBuffer(buf, b)
}

// writeRequestError answers a request that could not be read: 400 with
// the flag's key for one flag, without for bulk.
func (h *Handler) writeRequestError(w http.ResponseWriter, err error, key string, single bool) {
	var re *requestError
	if !errors.As(err, &re) {
		h.internal(w, err)
		return
	}
	if single {
		h.writeJSON(w, http.StatusBadRequest, &failure{Key: key, ErrorCode: string(re.code), ErrorDetails: re.detail})
		return
	}
	h.writeJSON(w, http.StatusBadRequest, &bulkFailure{ErrorCode: string(re.code), ErrorDetails: re.detail})
}

// evaluate calls the Evaluator, turning a panic into an error.
func (h *Handler) evaluate(key string, c flags.Context) (res flags.Result, err error) {
	defer recoverInto(&err, key)
	return h.cfg.Evaluator.Evaluate(key, c), nil
}

// evaluateEvery calls the Evaluator for every flag, turning a panic into
// an error.
func (h *Handler) evaluateEvery(c flags.Context) (res []flags.Result, err error) {
	defer recoverInto(&err, "(all flags)")
	return h.cfg.Evaluator.EvaluateAll(c), nil
}

// recoverInto turns a panic of the Evaluator into *err; key names what
// was being evaluated.
func recoverInto(err *error, key string) {
	if p := recover(); p != nil {
		if p == http.ErrAbortHandler {
			panic(p)
		}
		*err = fmt.Errorf("evaluate %s: panic: %v", key, p)
	}
}
