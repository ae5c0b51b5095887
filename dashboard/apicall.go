package dashboard

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/slipway-dev/slipway/api"
)

// apiError is a non-2xx answer of the API, with its message.
type apiError struct {
	Status  int
	Kind    string
	Message string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Kind, e.Message) }

// recorder is the ResponseWriter of an in-process API call.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

// withCredentials makes req, an in-process call a page makes, carry
// se's credentials: its token, or its user as the request's principal
// (set in-process, which no client can).
func (d *Dashboard) withCredentials(req *http.Request, se session) *http.Request {
	return d.credentials(req.WithContext(d.cfg.InProcess(req.Context())), se)
}

// credentials makes req carry se's credentials and nothing more: what a
// browser's own call of the API gets (it is rate-limited as any call).
func (d *Dashboard) credentials(req *http.Request, se session) *http.Request {
	if se.token != "" {
		req.Header.Set("Authorization", "Bearer "+se.token)
		return req
	}
	return req.WithContext(d.cfg.AsUser(req.Context(), se.user))
}

// get calls GET path (which may carry a query) on the API in-process,
// as se, in environment env ("" for the default), and decodes the JSON
// answer into out.
func (d *Dashboard) get(ctx context.Context, se session, env, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://localhost"+path, nil)
	if err != nil {
		return err
	}
	req.RemoteAddr = "127.0.0.1:0"
	if env != "" {
		req.Header.Set(api.HeaderEnv, env)
	}
	rec := &recorder{header: http.Header{}}
	d.cfg.API.ServeHTTP(rec, d.withCredentials(req, se))
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	if rec.status < 200 || rec.status > 299 {
		var eb api.ErrorBody
		_ = json.Unmarshal(rec.body.Bytes(), &eb)
		return &apiError{Status: rec.status, Kind: eb.Error.Kind, Message: eb.Error.Message}
	}
	if err := json.Unmarshal(rec.body.Bytes(), out); err != nil {
		return fmt.Errorf("GET %s: decode: %w", path, err)
	}
	return nil
}

// esc escapes one path segment.
func esc(s string) string { return url.PathEscape(s) }

// forward serves a browser's call of the API (/v1/..., /metrics). A
// request that carries its own credentials goes through as it is; one
// that carries the session cookie gets the session's credentials, after
// the cross-site checks a cookie needs.
func (d *Dashboard) forward(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "" {
		d.cfg.API.ServeHTTP(w, r)
		return
	}
	se, _, ok := d.sessions.fromRequest(r)
	if !ok {
		d.cfg.API.ServeHTTP(w, r)
		return
	}
	if msg := crossSite(r); msg != "" {
		writeAPIError(w, http.StatusForbidden, api.KindForbidden, msg)
		return
	}
	d.cfg.API.ServeHTTP(w, d.credentials(r, se))
}

// crossSite says why a request that authenticates with the session
// cookie must be refused, or "". A change must say where it comes from:
// Sec-Fetch-Site same-origin, or an Origin equal to the dashboard's own.
// (SameSite=Strict already keeps the cookie off other sites' requests;
// this holds should a browser not honour it.) Reads need no more: no
// other origin can read the answer.
func crossSite(r *http.Request) string {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return ""
	}
	switch site := r.Header.Get("Sec-Fetch-Site"); site {
	case "same-origin": // set by the browser; no page can forge it
		return ""
	case "":
	default:
		return "cross-site request (" + site + ") refused: the dashboard acts only from its own pages"
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return "a change made with the dashboard's session must carry an Origin header"
	}
	if u, err := url.Parse(o); err != nil || u.Host != r.Host {
		return "cross-origin request from " + o + " refused"
	}
	return ""
}

func writeAPIError(w http.ResponseWriter, status int, kind, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(api.ErrorBody{Error: api.ErrorDetail{Kind: kind, Message: msg}})
}
