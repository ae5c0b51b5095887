package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/store"
)

// batch is how many events a lane reads at once.
const batch = 100

// stopGrace is how long a send in flight may go on once its lane stops.
const stopGrace = 2 * time.Second

// lane delivers one log's events to one destination, in order, each
// until it succeeds.
type lane struct {
	d    *Deliverer
	dest destination
	log  Log
	// cursor names the lane's cursor in its log's store.
	cursor string
	// since is when the spec was applied: a new cursor starts after the
	// events before it.
	since time.Time
	// only, when set, is the environment whose promotion events a hub
	// lane takes (the hub's other events are another lane's).
	only string
	cur  store.SinkCursor
}

func (l *lane) key() string { return l.log.Name + "\x00" + l.cursor }

// run delivers until ctx ends.
func (l *lane) run(ctx context.Context) {
	for ctx.Err() == nil {
		if err := l.start(ctx); err != nil {
			l.d.cfg.Logger.Warn("notifications: read cursor", "sink", l.cursor, "err", err)
			sleep(ctx, l.d.cfg.Poll)
			continue
		}
		break
	}
	for ctx.Err() == nil {
		changed := l.log.Changed()
		n, err := l.pass(ctx)
		if err != nil && ctx.Err() == nil {
			l.d.cfg.Logger.Warn("notifications: read log", "sink", l.cursor, "err", err)
		}
		if n < batch {
			select {
			case <-ctx.Done():
			case <-changed:
			case <-time.After(l.d.cfg.Poll):
			}
		}
	}
}

// start reads the lane's cursor, or makes one after the events before
// since.
func (l *lane) start(ctx context.Context) error {
	return l.log.Store.Update(ctx, func(tx store.Tx) error {
		c, err := tx.GetSinkCursor(l.cursor)
		if err == nil {
			l.cur = c
			return nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		seq, err := seqBefore(tx, l.since)
		if err != nil {
			return err
		}
		c = store.SinkCursor{Sink: l.cursor, Seq: seq}
		if err := tx.PutSinkCursor(c); err != nil {
			return err
		}
		c.Version++
		l.cur = c
		return nil
	})
}

// seqBefore is the newest event's seq written before t (0: none).
func seqBefore(tx store.Tx, t time.Time) (int64, error) {
	before := int64(0)
	for {
		evs, err := tx.ListEventsBefore(before, "", batch)
		if err != nil || len(evs) == 0 {
			return 0, err
		}
		for _, e := range evs {
			if e.Time.Before(t) {
				return e.Seq, nil
			}
		}
		before = evs[len(evs)-1].Seq
	}
}

// pass delivers the events after the cursor, up to a batch; it returns
// how many it read.
func (l *lane) pass(ctx context.Context) (int, error) {
	var evs []store.Event
	err := l.log.Store.View(ctx, func(tx store.Tx) (err error) {
		evs, err = tx.ListEvents(l.cur.Seq, "", batch)
		return err
	})
	if err != nil {
		return 0, err
	}
	for _, e := range evs {
		it := item{e: e, log: l.log.Name, env: aboutEnv(e, l.log.Name)}
		if !l.takes(it) {
			continue
		}
		if err := l.deliver(ctx, it); err != nil {
			return 0, err
		}
	}
	if n := len(evs); n > 0 && l.cur.Seq < evs[n-1].Seq {
		next := l.cur
		next.Seq = evs[n-1].Seq
		return n, l.save(ctx, next)
	}
	return len(evs), nil
}

// takes reports whether the lane sends it.
func (l *lane) takes(it item) bool {
	if l.only != "" && (!it.e.Type.Promotion() || it.env != l.only) {
		return false
	}
	return wants(l.dest.n, it)
}

// deliver sends it until it is delivered or ctx ends, recording each
// failure and the success on the cursor.
func (l *lane) deliver(ctx context.Context, it item) error {
	for {
		err := l.send(ctx, it)
		now := l.d.cfg.Clock.Now()
		next := l.cur
		if err == nil {
			// Recorded even when the lane is being stopped: a clean stop
			// then repeats nothing; only a crash in between does.
			next.Seq, next.Delivered, next.LastSuccess, next.Failures = it.e.Seq, next.Delivered+1, now, 0
			return l.save(context.WithoutCancel(ctx), next)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		next.Failures, next.LastError, next.LastErrorAt = next.Failures+1, fmt.Sprintf("event %s: %s", it.id(), err), now
		if err := l.save(ctx, next); err != nil {
			return err
		}
		l.d.wait(ctx, l.d.cfg.Backoff.Delay(next.Failures, l.d.cfg.Jitter()))
	}
}

// save writes the cursor; the lane is its only writer, so a conflict
// means the record was changed by hand: it re-reads and writes again.
func (l *lane) save(ctx context.Context, next store.SinkCursor) error {
	for {
		err := l.log.Store.Update(ctx, func(tx store.Tx) error { return tx.PutSinkCursor(next) })
		if err == nil {
			next.Version++
			l.cur = next
			return nil
		}
		if !errors.Is(err, store.ErrConflict) {
			return err
		}
		err = l.log.Store.View(ctx, func(tx store.Tx) error {
			c, err := tx.GetSinkCursor(l.cursor)
			next.Version = c.Version
			return err
		})
		if err != nil {
			return err
		}
	}
}

// send makes one attempt. Its error names no URL or key.
func (l *lane) send(ctx context.Context, it item) error {
	if l.dest.broken != "" {
		return errors.New(l.dest.broken)
	}
	links := l.links(it)
	var body []byte
	var err error
	if l.dest.n.Slack != nil {
		body, err = json.Marshal(map[string]string{"text": slackText(it, links)})
	} else {
		body, err = json.Marshal(payload(it, links))
	}
	if err != nil {
		return err
	}
	// A send in flight when the lane stops gets a moment to finish, so
	// that a clean stop records what the receiver got instead of sending
	// it again after the restart.
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	defer context.AfterFunc(ctx, func() { time.AfterFunc(stopGrace, cancel) })()
	req, err := http.NewRequestWithContext(sctx, http.MethodPost, l.dest.url, bytes.NewReader(body))
	if err != nil {
		return errors.New("the destination's URL is not valid")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "slipway-notify")
	req.Header.Set(HeaderEventID, it.id())
	req.Header.Set(HeaderEventType, string(it.e.Type))
	if l.dest.key != nil {
		req.Header.Set(HeaderSignature, Sign(l.dest.key, body, l.d.cfg.Clock.Now()))
	}
	res, err := l.d.cfg.Client.Do(req)
	if err != nil {
		return l.scrub(err)
	}
	defer res.Body.Close()
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("POST answered %s", res.Status)
	}
	return nil
}

// scrub returns err without the destination's URL, which may be a
// credential (a Slack webhook's path is).
func (l *lane) scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	msg := err.Error()
	if l.dest.url != "" {
		msg = strings.ReplaceAll(msg, l.dest.url, "(the destination)")
	}
	if u, perr := url.Parse(l.dest.url); perr == nil && u.Path != "" && u.Path != "/" {
		msg = strings.ReplaceAll(msg, u.Path, "/...")
	}
	return errors.New("POST: " + msg)
}

// links are an approval request's links for this destination's approver
// (nil for another event, or without approver or public URL). They are
// the same on every attempt: the nonce is the event's ID, the
// destination and the action.
func (l *lane) links(it item) *ApprovalLinks {
	if it.e.Type != store.EventPromotionAwaitingApproval || l.dest.n.Approver == "" || l.d.cfg.Links == nil {
		return nil
	}
	var d store.PromotionData
	if json.Unmarshal(it.e.Data, &d) != nil || d.ID == 0 || d.Gate == nil {
		return nil
	}
	exp := it.e.Time.Add(l.dest.n.Expiry()).Truncate(time.Second)
	mk := func(action string) string {
		return l.d.cfg.Links.URL(Link{Promotion: d.ID, Gate: *d.Gate, Action: action, By: "link:" + l.dest.n.Approver, Expires: exp,
			Nonce: it.id() + "-" + l.dest.name + "-" + action})
	}
	return &ApprovalLinks{Approve: mk(ActionApprove), Reject: mk(ActionReject), Expires: exp}
}
