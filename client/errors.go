package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"

	"github.com/slipway-dev/slipway/api"
)

// ErrUnreachable is wrapped by the error every method returns when no
// connection to the server could be made at all.
var ErrUnreachable = errors.New("slipway server unreachable")

// Error is a non-2xx answer from the server.
type Error struct {
	// Status is the HTTP status code.
	Status int
	// Kind is one of the api.Kind* constants.
	Kind string
	// Message says what went wrong.
	Message string
	// Problems lists every problem of an invalid spec or request.
	Problems []api.Problem
}

// Error returns the message, then every problem on its own line as
// "file:line: path: message".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	for _, p := range e.Problems {
		b.WriteString("\n")
		b.WriteString(FormatProblem(p))
	}
	return b.String()
}

// FormatProblem renders p as "file:line: path: message", leaving out the
// parts p does not have.
func FormatProblem(p api.Problem) string {
	var parts []string
	switch {
	case p.File != "" && p.Line > 0:
		parts = append(parts, p.File+":"+strconv.Itoa(p.Line))
	case p.File != "":
		parts = append(parts, p.File)
	case p.Line > 0:
		parts = append(parts, "line "+strconv.Itoa(p.Line))
	}
	if p.Path != "" {
		parts = append(parts, p.Path)
	}
	parts = append(parts, p.Message)
	return strings.Join(parts, ": ")
}

// IsNotFound reports whether err is a not-found answer from the server.
func IsNotFound(err error) bool { return hasKind(err, api.KindNotFound) }

// IsInvalid reports whether err rejects invalid input (a bad spec or request).
func IsInvalid(err error) bool { return hasKind(err, api.KindInvalid) }

// IsConflict reports whether err is a conflict (for example, another
// operation is already running).
func IsConflict(err error) bool { return hasKind(err, api.KindConflict) }

// IsUnavailable reports whether the server answered that it cannot serve
// the request right now.
func IsUnavailable(err error) bool { return hasKind(err, api.KindUnavailable) }

// IsUnreachable reports whether no connection to the server could be made.
func IsUnreachable(err error) bool { return errors.Is(err, ErrUnreachable) }

func hasKind(err error, kind string) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == kind
}

// decodeError turns a non-2xx response into an *Error. A body that is not
// an api.ErrorBody still gives a useful message (its text, or the status).
func decodeError(resp *http.Response) error {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	e := &Error{Status: resp.StatusCode}
	var body api.ErrorBody
	if json.Unmarshal(data, &body) == nil && body.Error.Message != "" {
		e.Kind, e.Message, e.Problems = body.Error.Kind, body.Error.Message, body.Error.Problems
	} else {
		e.Message = strings.TrimSpace(string(data))
	}
	if e.Message == "" {
		e.Message = fmt.Sprintf("%s %s: %s", resp.Request.Method, resp.Request.URL.Path, http.StatusText(resp.StatusCode))
	}
	if e.Kind == "" {
		e.Kind = kindOf(resp.StatusCode)
	}
	return e
}

// kindOf guesses the error kind of a status when the body does not say.
func kindOf(status int) string {
	switch status {
	case http.StatusNotFound:
		return api.KindNotFound
	case http.StatusConflict:
		return api.KindConflict
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		return api.KindInvalid
	case http.StatusServiceUnavailable:
		return api.KindUnavailable
	}
	return api.KindInternal
}

// UnreachableError is a failure to connect to the server at all. It
// matches ErrUnreachable with errors.Is, and its message says how to start
// a server or point at one.
type UnreachableError struct {
	// Server is the base URL that could not be reached.
	Server string
	// Err is the connection error.
	Err error
}

// Error says which server could not be reached, why, and what to do.
func (e *UnreachableError) Error() string {
	return fmt.Sprintf("cannot reach the slipway server at %s (%s); "+
		`start one with "slipway server" or point --server / SLIPWAY_SERVER at a running one`,
		e.Server, describeCause(e.Err))
}

// Is makes errors.Is(err, ErrUnreachable) true.
func (e *UnreachableError) Is(target error) bool { return target == ErrUnreachable }

// Unwrap returns the connection error.
func (e *UnreachableError) Unwrap() error { return e.Err }

// transportError classifies an error from http.Client.Do: a context that
// ended, a failure to connect, or some other transport failure.
func (c *Client) transportError(req *http.Request, err error) error {
	if ctxErr := req.Context().Err(); ctxErr != nil {
		return fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, ctxErr)
	}
	if isConnectFailure(err) {
		return &UnreachableError{Server: c.server, Err: err}
	}
	return fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
}

// isConnectFailure reports whether err means no connection was made.
func isConnectFailure(err error) bool {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr)
}

// describeCause names why a connection failed in a few words.
func describeCause(err error) string {
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.As(err, &dnsErr):
		return "no such host " + dnsErr.Name
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return "timed out"
	}
	for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(u) {
		err = u
	}
	return err.Error()
}
