package dashboard

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/internal/clock"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config wires the dashboard to the server.
type Config struct {
	// API is the server's API handler: pages call it in-process, and the
	// browser's calls of /v1/... go to it.
	API http.Handler
	// AsUser returns ctx carrying u as the principal of an API request:
	// how a session opened by a one-time link acts (the server maps it to
	// httpapi.WithPrincipal).
	AsUser func(ctx context.Context, u User) context.Context
	// InProcess marks the context of the API calls a page makes, which
	// the page's own request was already counted for (the server maps it
	// to httpapi.InProcess); Allow counts a page load or a live stream
	// against user's rate limit, and says when to retry past it. Either
	// may be nil.
	InProcess func(ctx context.Context) context.Context
	Allow     func(user string) (ok bool, retry time.Duration)
	Clock     clock.Clock
	Logger    *slog.Logger
	// SessionTTL is how long a session lasts (default 12h); LinkTTL how
	// long a one-time link may wait to be opened (default 2m).
	SessionTTL, LinkTTL time.Duration
	// Changes returns a channel closed at environment env's next
	// committed store write ("" is the default environment; nil for an
	// unknown one): a live view redraws when it closes. Nil: live views
	// only poll.
	Changes func(env string) <-chan struct{}
	// Poll is how often a live view redraws with no store write, for
	// what changes without one (the recorded traffic; default 5s, the
	// server's sampling interval).
	Poll time.Duration
}

// Dashboard serves the web UI and forwards the browser's API calls.
type Dashboard struct {
	cfg      Config
	sessions *sessions
	pages    map[string]*template.Template
	mux      *http.ServeMux
}

// New returns a Dashboard; it starts nothing.
func New(cfg Config) *Dashboard {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.AsUser == nil {
		cfg.AsUser = userContext
	}
	if cfg.InProcess == nil {
		cfg.InProcess = func(ctx context.Context) context.Context { return ctx }
	}
	if cfg.Allow == nil {
		cfg.Allow = func(string) (bool, time.Duration) { return true, 0 }
	}
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.LinkTTL == 0 {
		cfg.LinkTTL = 2 * time.Minute
	}
	if cfg.Poll == 0 {
		cfg.Poll = 5 * time.Second
	}
	if cfg.Changes == nil {
		cfg.Changes = func(string) <-chan struct{} { return nil }
	}
	d := &Dashboard{cfg: cfg, sessions: newSessions(cfg.Clock.Now, cfg.SessionTTL, cfg.LinkTTL), pages: parsePages()}
	d.routes()
	return d
}

// Grant returns a one-time login link's path and query ("/login?t=...")
// for u, and when it expires.
func (d *Dashboard) Grant(u User) (string, time.Time) {
	id, exp := d.sessions.grant(u)
	return "/login?t=" + url.QueryEscape(id), exp
}

func (d *Dashboard) routes() {
	m := http.NewServeMux()
	m.HandleFunc("/v1/", d.forward)
	m.HandleFunc("/metrics", d.forward)
	static, _ := fs.Sub(staticFS, "static")
	m.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	m.HandleFunc("GET /login", d.loginPage)
	m.HandleFunc("POST /login", d.loginToken)
	m.HandleFunc("POST /logout", d.logout)
	m.HandleFunc("GET /{$}", d.page(d.home))
	m.HandleFunc("GET /services/{name}", d.page(d.rollout))
	m.HandleFunc("GET /services/{name}/live", d.live)
	m.HandleFunc("GET /services/{name}/revisions", d.page(d.revisions))
	m.HandleFunc("GET /pipeline/{name}", d.page(d.pipeline))
	m.HandleFunc("GET /timeline", d.page(d.timeline))
	m.HandleFunc("GET /flags", d.page(d.flags))
	m.HandleFunc("GET /dora", d.page(d.dora))
	m.HandleFunc("/", d.page(d.notFound))
	d.mux = m
}

// ServeHTTP serves the dashboard's pages and forwards /v1/... to the API.
func (d *Dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, "/v1/") && r.URL.Path != "/metrics" {
		secureHeaders(w.Header())
	}
	d.mux.ServeHTTP(w, r)
}

// secureHeaders: pages run only their own script and style, are never
// framed, and send no Referer to other sites (a login link's query must
// not leak).
func secureHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
}

// view is what a page handler returns: its template and data, or an
// error (an apiError keeps its status; not-found gets the 404 page).
type view struct {
	Template string
	Title    string
	Data     any
}

// pageData is what every page template gets.
type pageData struct {
	Title string
	User  User
	Env   string
	Envs  []api.Environment
	Data  any
	Now   time.Time
}

// page adapts a page handler: it needs a session (else the login page)
// and renders the view, or an error page with the API's status.
func (d *Dashboard) page(fn func(r *http.Request, se session) (view, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		se, _, ok := d.sessions.fromRequest(r)
		if !ok {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if !d.allow(w, se) {
			return
		}
		v, err := fn(r, se)
		status := http.StatusOK
		if err != nil {
			status, v = errorView(err)
		}
		pd := pageData{Title: v.Title, User: se.user, Env: r.URL.Query().Get("env"), Data: v.Data, Now: d.cfg.Clock.Now()}
		_ = d.get(r.Context(), se, "", "/v1/environments", &pd.Envs)
		d.render(w, status, v.Template, pd)
	}
}

// errorView turns an error into the page that explains it.
func errorView(err error) (int, view) {
	var ae *apiError
	if errors.As(err, &ae) {
		title := http.StatusText(ae.Status)
		return ae.Status, view{Template: "error", Title: title, Data: ae}
	}
	return http.StatusInternalServerError, view{Template: "error", Title: "Error", Data: &apiError{Status: 500, Kind: "internal", Message: err.Error()}}
}

func (d *Dashboard) notFound(r *http.Request, _ session) (view, error) {
	return view{}, &apiError{Status: http.StatusNotFound, Kind: api.KindNotFound, Message: "no page at " + r.URL.Path}
}

func (d *Dashboard) render(w http.ResponseWriter, status int, name string, data any) {
	t, ok := d.pages[name]
	if !ok {
		http.Error(w, "no template "+name, http.StatusInternalServerError)
		return
	}
	var buf strings.Builder
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		d.cfg.Logger.Error("render page", "page", name, "err", err)
		http.Error(w, "the page could not be drawn: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(buf.String()))
}

// allow counts a page load against the session user's rate limit; past
// it the answer is 429 with Retry-After.
func (d *Dashboard) allow(w http.ResponseWriter, se session) bool {
	ok, retry := d.cfg.Allow(se.user.Name)
	if !ok {
		secs := int(math.Ceil(retry.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		http.Error(w, fmt.Sprintf("too many requests from %s: retry in %ds", se.user.Name, secs), http.StatusTooManyRequests)
	}
	return ok
}
