package router

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
)

// The router's error pages are fixed: a status and a short text, with
// nothing of the request, the route, the instances or the error in them.
// A user has no use for an instance's address or Go's error text, and an
// attacker would. What the page leaves out goes to the log
// (Config.Logger), once per request.

// pageTexts are the error pages' texts after their status.
var pageTexts = map[int]string{
	http.StatusBadRequest:            "the request could not be read",
	http.StatusNotFound:              "no service is routed here",
	http.StatusMethodNotAllowed:      "the router does not forward this method",
	http.StatusRequestEntityTooLarge: "the request body is too large",
	http.StatusBadGateway:            "the service is unavailable",
	http.StatusServiceUnavailable:    "the service is unavailable",
	http.StatusGatewayTimeout:        "the service did not answer in time",
}

// pages are the error pages' bodies, made once.
var pages = func() map[int][]byte {
	m := make(map[int][]byte, len(pageTexts))
	for status, text := range pageTexts {
		m[status] = []byte(strconv.Itoa(status) + " " + http.StatusText(status) + ": " + text + "\n")
	}
	return m
}()

// errNoBackend means every instance was tried, or none was in rotation.
var errNoBackend = errors.New("no instance could take the request")

// errNoReady means the route has no instance in its table.
var errNoReady = errors.New("no ready instance")

// writePage writes the fixed error page of status.
func writePage(w http.ResponseWriter, status int) {
	body, ok := pages[status]
	if !ok {
		body = []byte(strconv.Itoa(status) + " " + http.StatusText(status) + "\n")
	}
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// proxyError answers a request no instance answered with the page its
// error calls for, and logs the error. A client that went away gets
// nothing: its connection is cut rather than left to the server, which
// would answer an empty 200 for a handler that wrote nothing.
func (rt *Router) proxyError(w http.ResponseWriter, req *http.Request, r *route, err error) {
	if status := errorStatus(err); status != 0 {
		rt.refuse(w, req, r, status, err)
		return
	}
	if req.Context().Value(http.ServerContextKey) != nil {
		panic(http.ErrAbortHandler) // the server recovers it and closes the connection
	}
}

// refuse logs why a request to route r gets an error page, and writes it.
func (rt *Router) refuse(w http.ResponseWriter, req *http.Request, r *route, status int, err error) {
	level := slog.LevelWarn // the service is failing its users
	if status < 500 {
		level = slog.LevelInfo // the client's request was refused
	}
	rt.cfg.Logger.LogAttrs(req.Context(), level, "router: request not served",
		slog.String("service", r.Service), slog.Int("status", status), slog.String("method", req.Method),
		slog.String("host", req.Host), slog.String("path", req.URL.Path), slog.Any("err", err))
	writePage(w, status)
}

// errorStatus is the status of the page for a request that failed with
// err, or 0 when the client went away (nobody to answer).
func errorStatus(err error) int {
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return http.StatusRequestEntityTooLarge
	case errors.As(err, new(*clientBodyError)):
		return http.StatusBadRequest // before Canceled: a half-closed client still reads
	case errors.Is(err, context.Canceled):
		return 0
	case errors.Is(err, errQueueFull):
		return http.StatusServiceUnavailable
	case isTimeout(err):
		return http.StatusGatewayTimeout
	}
	return http.StatusBadGateway
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}
