package dashboard

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"sync"
	"time"
)

// cookieName is the session cookie's name.
const cookieName = "slipway_session"

// User is who a session acts as: the principal's name as events record
// it, and its role (viewer, deployer, admin).
type User struct {
	Name string
	Role string
}

// session is one logged-in browser. token, when set, is the bearer
// token it logged in with (sent on every API call); otherwise the
// session acts as User directly (a one-time link from the local user).
type session struct {
	user    User
	token   string
	expires time.Time
}

// grant is a one-time login link not yet used.
type grant struct {
	user    User
	expires time.Time
}

// sessions keeps sessions and grants in memory, keyed by random IDs.
type sessions struct {
	now      func() time.Time
	ttl      time.Duration
	grantTTL time.Duration
	mu       sync.Mutex // guards byID and grants
	byID     map[string]session
	grants   map[string]grant
}

func newSessions(now func() time.Time, ttl, grantTTL time.Duration) *sessions {
	return &sessions{now: now, ttl: ttl, grantTTL: grantTTL, byID: map[string]session{}, grants: map[string]grant{}}
}

// randomID returns 256 random bits, URL-safe.
func randomID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// grant records a one-time login for u and returns its ID and expiry.
func (s *sessions) grant(u User) (string, time.Time) {
	id, exp := randomID(), s.now().Add(s.grantTTL)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep()
	s.grants[id] = grant{user: u, expires: exp}
	return id, exp
}

// redeem uses up a grant: it works once, before it expires.
func (s *sessions) redeem(id string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.grants[id]
	delete(s.grants, id)
	return g.user, ok && s.now().Before(g.expires)
}

// open starts a session and returns its ID.
func (s *sessions) open(u User, token string) string {
	id := randomID()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep()
	s.byID[id] = session{user: u, token: token, expires: s.now().Add(s.ttl)}
	return id
}

// get returns the live session id names.
func (s *sessions) get(id string) (session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	se, ok := s.byID[id]
	if ok && !s.now().Before(se.expires) {
		delete(s.byID, id)
		return session{}, false
	}
	return se, ok
}

func (s *sessions) close(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byID, id)
}

// sweep drops what has expired; the caller holds mu.
func (s *sessions) sweep() {
	now := s.now()
	for id, se := range s.byID {
		if !now.Before(se.expires) {
			delete(s.byID, id)
		}
	}
	for id, g := range s.grants {
		if !now.Before(g.expires) {
			delete(s.grants, id)
		}
	}
}

// fromRequest returns r's session, if its cookie names a live one.
func (s *sessions) fromRequest(r *http.Request) (session, string, bool) {
	c, err := r.Cookie(cookieName)
	if err != nil || c.Value == "" {
		return session{}, "", false
	}
	se, ok := s.get(c.Value)
	return se, c.Value, ok
}

// setCookie gives the browser the session's cookie: HttpOnly (no script
// reads it), SameSite=Strict (no other site's page sends it), Secure
// when the dashboard is served over TLS.
func (s *sessions) setCookie(w http.ResponseWriter, r *http.Request, id string) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: id, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: int(s.ttl.Seconds())})
}

func clearCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: -1})
}
