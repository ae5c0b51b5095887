package notify

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/atomicfile"
)

// Link actions.
const (
	ActionApprove = "approve"
	ActionReject  = "reject"
)

// LinkPath is where the API serves approval links; the token follows.
const LinkPath = "/v1/links/approval/"

// Link is what an approval link says: which promotion and which of its
// gates (an index: a link made for one approval gate acts on no later
// one), approve or reject, as whom, until when, and its one-time nonce.
type Link struct {
	Promotion int64     `json:"p"`
	Gate      int       `json:"g"`
	Action    string    `json:"a"`
	By        string    `json:"by"`
	Expires   time.Time `json:"exp"`
	Nonce     string    `json:"n"`
}

// Links makes and checks approval links on the server's public URL.
type Links struct {
	key  []byte
	base string
}

// NewLinks returns links on publicURL (http or https, as the approver's
// browser reaches the API) signed with key.
func NewLinks(key []byte, publicURL string) (*Links, error) {
	u, err := url.Parse(publicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return nil, fmt.Errorf("--public-url %q: want the http(s) URL at which browsers reach this server's API, like https://slipway.example.com", publicURL)
	}
	if len(key) < 32 {
		return nil, errors.New("link key: want at least 32 bytes")
	}
	return &Links{key: key, base: strings.TrimSuffix(publicURL, "/")}, nil
}

// URL returns the link's address.
func (l *Links) URL(k Link) string { return l.base + LinkPath + l.Token(k) }

// Token returns the link's signed token: base64url(JSON).base64url(HMAC).
func (l *Links) Token(k Link) string {
	body, err := json.Marshal(k)
	if err != nil {
		panic(err) // strings, an int and a time always encode
	}
	p := base64.RawURLEncoding.EncodeToString(body)
	return p + "." + base64.RawURLEncoding.EncodeToString(l.sum(p))
}

func (l *Links) sum(payload string) []byte {
	m := hmac.New(sha256.New, l.key)
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// ErrBadLink is the kind of every error Check returns.
var ErrBadLink = errors.New("bad approval link")

type linkError struct{ msg string }

func (e linkError) Error() string { return e.msg }
func (e linkError) Unwrap() error { return ErrBadLink }

// Check returns what a token says when this server signed it and it has
// not expired at now. Whether it was used is the store's to say (the
// approval records its nonce).
func (l *Links) Check(token string, now time.Time) (Link, error) {
	p, sig, ok := strings.Cut(token, ".")
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if !ok || err != nil || !hmac.Equal(got, l.sum(p)) {
		return Link{}, linkError{"this approval link is not valid: it was changed or cut, or another server made it; approve with slipway approve SERVICE --env ENV"}
	}
	body, err := base64.RawURLEncoding.DecodeString(p)
	var k Link
	if err != nil || json.Unmarshal(body, &k) != nil || k.Nonce == "" || k.By == "" || (k.Action != ActionApprove && k.Action != ActionReject) {
		return Link{}, linkError{"this approval link is not valid: its content is malformed"}
	}
	if !now.Before(k.Expires) {
		return Link{}, linkError{fmt.Sprintf("this approval link expired at %s; approve with slipway approve SERVICE --env ENV", k.Expires.UTC().Format(time.RFC3339))}
	}
	return k, nil
}

// LoadOrCreateLinkKey returns the link-signing key in path (64 hex
// digits), making a new random one, mode 0600, when there is none. A
// key file readable by others is refused: whoever reads it can make
// links that approve.
func LoadOrCreateLinkKey(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		key := make([]byte, 32)
		rand.Read(key)
		if err := atomicfile.WriteFile(path, []byte(hex.EncodeToString(key)+"\n")); err != nil {
			return nil, fmt.Errorf("write link key %s: %w", path, err)
		}
		return key, nil
	}
	if err != nil {
		return nil, fmt.Errorf("link key: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("link key %s is readable by others (mode %v): chmod 600 it", path, st.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("link key: %w", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) < 32 {
		return nil, fmt.Errorf("link key %s: want 64 hex digits", path)
	}
	return key, nil
}
