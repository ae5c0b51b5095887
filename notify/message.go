package notify

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// DefaultEvents are what a destination without events: gets: releases
// starting, promoted, rolled back or failed, approvals, incidents,
// environments going down, crash loops, services unhealthy for long
// and the data folder's disk nearly full (and their recoveries), and
// flags killed.
var DefaultEvents = []store.EventType{
	store.EventRolloutStarted, store.EventRolloutFailed, store.EventRollbackStarted,
	store.EventServicePromoted, store.EventCanaryPromoted, store.EventCanaryRolledBack,
	store.EventParallelRunPromoted, store.EventParallelRunRolledBack,
	store.EventOperationFailed, store.EventOperationRolledBack,
	store.EventPromotionAwaitingApproval, store.EventPromotionApproved, store.EventPromotionRejected,
	store.EventPromotionSucceeded, store.EventPromotionFailed,
	store.EventFlagKilled, store.EventFlagReleaseRolledBack,
	store.EventIncidentOpened, store.EventEnvironmentDown,
	store.EventInstanceCrashLoop, store.EventConfigDeliveryRolledBack,
	store.EventServiceUnhealthy, store.EventServiceRecovered, store.EventDiskLow, store.EventDiskRecovered,
}

// Payload is the JSON body of a webhook delivery (wire format: fields
// are only ever added).
type Payload struct {
	// ID is ENV-SEQ, the same on every attempt (also HeaderEventID).
	ID        string          `json:"id"`
	Env       string          `json:"env"`
	Seq       int64           `json:"seq"`
	Type      string          `json:"type"`
	Time      time.Time       `json:"time"`
	Service   string          `json:"service,omitempty"`
	Revision  int             `json:"revision,omitempty"`
	Instance  string          `json:"instance,omitempty"`
	Operation int64           `json:"operation,omitempty"`
	Message   string          `json:"message"`
	By        string          `json:"by,omitempty"`
	Data      json.RawMessage `json:"data,omitempty"`
	// Links are the approve and reject links of an approval request.
	Links *ApprovalLinks `json:"links,omitempty"`
}

// ApprovalLinks are the signed one-time links of an approval request.
type ApprovalLinks struct {
	Approve string    `json:"approve"`
	Reject  string    `json:"reject"`
	Expires time.Time `json:"expires"`
}

// item is one event as a lane sees it: the event, the log it came from
// (for its ID) and the environment it is about.
type item struct {
	e   store.Event
	log string
	env string
}

// id is the event's ID: its log's name and sequence number.
func (it item) id() string { return fmt.Sprintf("%s-%d", it.log, it.e.Seq) }

// aboutEnv is the environment an event of log is about: a promotion's
// target for the promotion events (the hub holds them all), else log.
func aboutEnv(e store.Event, log string) string {
	if !e.Type.Promotion() {
		return log
	}
	var d store.PromotionData
	if json.Unmarshal(e.Data, &d) == nil && d.To != "" {
		return d.To
	}
	return log
}

// wants reports whether destination n takes it.
func wants(n *spec.Notification, it item) bool {
	if len(n.Services) > 0 && !slices.Contains(n.Services, it.e.Service) {
		return false
	}
	if len(n.Environments) > 0 && !slices.Contains(n.Environments, it.env) {
		return false
	}
	if len(n.Events) == 0 {
		return slices.Contains(DefaultEvents, it.e.Type)
	}
	return slices.ContainsFunc(n.Events, func(p string) bool { return spec.MatchEvent(p, string(it.e.Type)) })
}

// payload is the webhook body of it, with links when it asks for an
// approval.
func payload(it item, links *ApprovalLinks) Payload {
	e := it.e
	return Payload{ID: it.id(), Env: it.env, Seq: e.Seq, Type: string(e.Type), Time: e.Time, Service: e.Service,
		Revision: e.Revision, Instance: e.Instance, Operation: e.Operation, Message: e.Message, By: e.By, Data: e.Data, Links: links}
}

// slackText is the text of a Slack message for it: environment, service,
// message, and the links as Slack's <url|label>.
func slackText(it item, links *ApprovalLinks) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%s] ", it.env)
	if it.e.Service != "" {
		fmt.Fprintf(&b, "%s: ", it.e.Service)
	}
	b.WriteString(slackEscape(it.e.Message))
	if it.e.By != "" {
		fmt.Fprintf(&b, " (by %s)", slackEscape(it.e.By))
	}
	if links != nil {
		fmt.Fprintf(&b, "\n<%s|Approve> · <%s|Reject> (one use each, until %s)", links.Approve, links.Reject, links.Expires.UTC().Format("2006-01-02 15:04 MST"))
	}
	return b.String()
}

// slackEscape escapes what Slack's mrkdwn reads as markup.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
