package dashboard

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/slipway-dev/slipway/api"
)

// loginData is what the login page shows.
type loginData struct {
	Next    string
	Message string
}

// loginPage redeems a one-time link (?t=), or shows the token form.
func (d *Dashboard) loginPage(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if t := r.URL.Query().Get("t"); t != "" {
		u, ok := d.sessions.redeem(t)
		if !ok {
			d.render(w, http.StatusUnauthorized, "login", pageData{Title: "Log in", Data: loginData{Next: next,
				Message: "This login link was used already or has expired: run `slipway dashboard` again, or log in with a token."}})
			return
		}
		d.sessions.setCookie(w, r, d.sessions.open(u, ""))
		d.cfg.Logger.Info("dashboard login", "by", u.Name, "how", "one-time link")
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	d.render(w, http.StatusOK, "login", pageData{Title: "Log in", Data: loginData{Next: next}})
}

// loginToken opens a session for the token the form sends, once the API
// has said whose it is.
func (d *Dashboard) loginToken(w http.ResponseWriter, r *http.Request) {
	if msg := crossSite(r); msg != "" {
		http.Error(w, msg, http.StatusForbidden)
		return
	}
	next := safeNext(r.FormValue("next"))
	token := strings.TrimSpace(r.FormValue("token"))
	var who api.Whoami
	err := d.get(r.Context(), session{token: token}, "", "/v1/whoami", &who)
	if token == "" || err != nil || who.Role == "evaluator" {
		d.render(w, http.StatusUnauthorized, "login", pageData{Title: "Log in", Data: loginData{Next: next,
			Message: "That token was not accepted (a viewer, deployer or admin token is needed)."}})
		return
	}
	d.sessions.setCookie(w, r, d.sessions.open(User{Name: who.Name, Role: who.Role}, token))
	d.cfg.Logger.Info("dashboard login", "by", who.Name, "how", "token")
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (d *Dashboard) logout(w http.ResponseWriter, r *http.Request) {
	if msg := crossSite(r); msg != "" {
		http.Error(w, msg, http.StatusForbidden)
		return
	}
	if _, id, ok := d.sessions.fromRequest(r); ok {
		d.sessions.close(id)
	}
	clearCookie(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// safeNext keeps a redirect on this site: a path, never another host
// (browsers read "/\\host" as "//host").
func safeNext(next string) string {
	u, err := url.Parse(next)
	if next == "" || err != nil || u.Host != "" || u.Scheme != "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return "/"
	}
	return next
}

// userContext is the AsUser a Dashboard without one uses: none, so that
// a link session's calls are refused rather than made as someone else.
func userContext(ctx context.Context, _ User) context.Context { return ctx }
