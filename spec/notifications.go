package spec

import (
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Notification is one destination of the notifications: section: where
// events go (a Slack-compatible incoming webhook, or a JSON webhook
// signed with HMAC-SHA256), and which (by event type, service and
// environment; an empty list means all, except Events, whose default is
// the notable events, package notify's DefaultEvents). Exactly one of
// Slack and Webhook is set. URLs and keys come from secrets
// (${secret.NAME}), so the spec holds no credential.
type Notification struct {
	Slack   *SlackSink   `yaml:"slack,omitempty" json:"slack,omitempty"`
	Webhook *WebhookSink `yaml:"webhook,omitempty" json:"webhook,omitempty"`
	// Events are event types, or patterns with * ("promotion.*"), sent.
	Events []string `yaml:"events,omitempty" json:"events,omitempty"`
	// Services and Environments narrow what is sent.
	Services     []string `yaml:"services,omitempty" json:"services,omitempty"`
	Environments []string `yaml:"environments,omitempty" json:"environments,omitempty"`
	// Approver is who this destination's approval links approve as
	// (recorded link:APPROVER); without it, messages carry no links.
	Approver string `yaml:"approver,omitempty" json:"approver,omitempty"`
	// LinkExpiry is how long an approval link works (default 24h, at
	// most 7 days).
	LinkExpiry Duration `yaml:"linkExpiry,omitempty" json:"linkExpiry,omitzero"`
}

// SlackSink posts {"text": ...} to a Slack (or Mattermost, Rocket.Chat)
// incoming webhook URL.
type SlackSink struct {
	// URL is an http(s) URL or, since a Slack webhook URL is itself a
	// credential, ${secret.NAME}.
	URL string `yaml:"url" json:"url"`
}

// WebhookSink posts each event as JSON, signed with HMAC-SHA256 under
// the key the secret Secret holds (header Slipway-Signature).
type WebhookSink struct {
	// URL is an http(s) URL or ${secret.NAME}.
	URL string `yaml:"url" json:"url"`
	// Secret names the secret holding the signing key.
	Secret string `yaml:"secret" json:"secret"`
}

// DefaultLinkExpiry and MaxLinkExpiry bound how long an approval link
// works.
const (
	DefaultLinkExpiry = 24 * time.Hour
	MaxLinkExpiry     = 7 * 24 * time.Hour
)

// Kind is "slack" or "webhook" ("" when neither is set).
func (n *Notification) Kind() string {
	switch {
	case n.Slack != nil:
		return "slack"
	case n.Webhook != nil:
		return "webhook"
	}
	return ""
}

// URL is the destination's URL as written (a URL or ${secret.NAME}).
func (n *Notification) URL() string {
	switch {
	case n.Slack != nil:
		return n.Slack.URL
	case n.Webhook != nil:
		return n.Webhook.URL
	}
	return ""
}

// Expiry is how long the destination's approval links work.
func (n *Notification) Expiry() time.Duration {
	if n.LinkExpiry.Duration <= 0 {
		return DefaultLinkExpiry
	}
	return n.LinkExpiry.Duration
}

// SecretURL returns the secret a URL written ${secret.NAME} names.
func SecretURL(u string) (name string, ok bool) {
	if !strings.HasPrefix(u, secretPrefix) || !strings.HasSuffix(u, "}") {
		return "", false
	}
	return u[len(secretPrefix) : len(u)-1], true
}

// MatchEvent reports whether an event type matches a pattern of
// Notification.Events (* stands for any run of characters).
func MatchEvent(pattern, typ string) bool {
	ok, err := path.Match(pattern, typ)
	return err == nil && ok
}

var (
	eventPattern = regexp.MustCompile(`^[a-z_*]+(\.[a-z_*]+)*$`)
	approverName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)
)

// notifications checks the notifications: section.
func (v *validator) notifications() {
	for _, name := range sortedNames(v.app.Notifications) {
		p := "notifications." + name
		if !isDNSLabel(name) {
			v.addf(p, "invalid name %q: %s", name, dnsLabelRule)
		}
		n := v.app.Notifications[name]
		if n == nil || countSet(n.Slack != nil, n.Webhook != nil) != 1 {
			v.addf(p, "give exactly one of slack: {url: ...} or webhook: {url: ..., secret: NAME}")
			continue
		}
		v.notifyURL(p+"."+n.Kind()+".url", n.URL())
		if n.Webhook != nil {
			v.notifyKey(p+".webhook.secret", n.Webhook.Secret)
		}
		v.notifyFilters(p, n)
		if n.Approver != "" && !approverName.MatchString(n.Approver) {
			v.addf(p+".approver", "invalid approver %q: a name of letters, digits, '.', '_', '@' or '-', at most 64 characters, like alice", n.Approver)
		}
		if d := n.LinkExpiry.Duration; d < 0 || d > MaxLinkExpiry {
			v.addf(p+".linkExpiry", "must be > 0 and at most %s, like 24h; got %s", MaxLinkExpiry, n.LinkExpiry)
		}
	}
}

// notifyURL checks a destination's URL: http(s) with a host, or a
// secret's reference.
func (v *validator) notifyURL(p, u string) {
	if u == "" {
		v.addf(p, "required: the destination's http(s) URL, or ${secret.NAME} for a secret holding it")
		return
	}
	if name, ok := SecretURL(u); ok {
		if err := CheckSecretName(name); err != nil {
			v.addf(p, "${secret.%s}: %s", name, err)
		}
		return
	}
	parsed, err := url.Parse(u)
	if err != nil || (parsed.Scheme != "http" && parsed.Scheme != "https") || parsed.Host == "" {
		v.addf(p, "must be an http or https URL like https://hooks.example/T1, or ${secret.NAME}; got %q", u)
	}
}

func (v *validator) notifyKey(p, name string) {
	if name == "" {
		v.addf(p, "required: the name of the secret holding the signing key (slipway secret set NAME, or secrets:)")
		return
	}
	if err := CheckSecretName(name); err != nil {
		v.addf(p, "%s", err)
	}
}

// notifyFilters checks that events, services and environments name
// what exists.
func (v *validator) notifyFilters(p string, n *Notification) {
	for i, e := range n.Events {
		ep := p + ".events[" + strconv.Itoa(i) + "]"
		if e == "*" {
			continue
		}
		if !eventPattern.MatchString(e) {
			v.addf(ep, "invalid event type %q: like promotion.approval.waiting, or a pattern like service.canary.*", e)
			continue
		}
		if len(v.opts.EventTypes) > 0 && !slices.ContainsFunc(v.opts.EventTypes, func(t string) bool { return MatchEvent(e, t) }) {
			v.addf(ep, "unknown event type %q%s (slipway events shows the types)", e, didYouMean(e, v.opts.EventTypes))
		}
	}
	if len(v.app.Services) > 0 {
		for i, s := range n.Services {
			if _, ok := v.app.Services[s]; !ok {
				v.addf(p+".services["+strconv.Itoa(i)+"]", "unknown service %q%s", s, didYouMean(s, sortedNames(v.app.Services)))
			}
		}
	}
	envs := []string{DefaultEnvironment}
	if len(v.app.Environments) > 0 {
		envs = sortedNames(v.app.Environments)
	}
	for i, e := range n.Environments {
		if !slices.Contains(envs, e) {
			v.addf(p+".environments["+strconv.Itoa(i)+"]", "unknown environment %q (environments: %s)", e, strings.Join(envs, ", "))
		}
	}
}
