package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/pipeline/testrun"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// Env is what the pipeline needs of one environment the server hosts.
type Env struct {
	Name  string
	Store store.Store
	// RouterURL is where the environment's users' traffic goes
	// (http://host:port); test commands get it as SLIPWAY_URL.
	RouterURL string
	// Enqueue asks the environment's controllers for a pass over a key.
	Enqueue func(key queue.Key)
	// Measure takes an analysis run's due measurements of a service's
	// revision there (rollout.Controller.MeasureRevision).
	Measure func(ctx context.Context, service string, revision int, a *spec.Analysis, run *store.AnalysisRun, now time.Time)
	// Down, when set, reports whether the environment is being taken
	// down: nothing is deployed into it meanwhile.
	Down func() bool
}

// Config wires the controller to the server.
type Config struct {
	// Hub stores versions and promotions (the server's default
	// environment's store).
	Hub store.Store
	// Env returns a hosted environment; a not-found error otherwise.
	Env func(name string) (*Env, error)
	// Enqueue asks for a pass over a promotion's key after a while.
	Enqueue func(key queue.Key, after time.Duration)
	Clock   clock.Clock
	Logger  *slog.Logger
	// Run runs a test command (testrun.Run unless a test says).
	Run func(ctx context.Context, c testrun.Command) testrun.Result
	// Context bounds test commands: they are killed when it ends.
	Context context.Context
	// Starter, when set, returns how to start a test command for service
	// in environment env whose spec names user ("" when none): the
	// server's process.Users.StartFunc, so that a root server runs it as
	// the service's unprivileged user. A nil Starter, or a nil func from
	// it, runs the command as the server's user.
	Starter func(env, service, user string) (func(*exec.Cmd) error, error)
}

// Controller moves promotions through their gates into their target
// environments. Promotions are stored first (level-triggered): a
// restarted server resumes each where it was; a test command cut short
// by the restart runs again.
type Controller struct {
	cfg Config

	mu    sync.Mutex // guards tests
	tests map[int64]*testRun
}

// testRun is a test command running, or finished and not yet recorded.
type testRun struct {
	gate   int
	result *testrun.Result
	cancel context.CancelFunc
}

// New returns a controller for cfg.
func New(cfg Config) *Controller {
	if cfg.Run == nil {
		cfg.Run = testrun.Run
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Context == nil {
		cfg.Context = context.Background()
	}
	return &Controller{cfg: cfg, tests: map[int64]*testRun{}}
}

// Reconcile takes the next step of one promotion, and says when to look
// again (0: when something happens).
func (c *Controller) Reconcile(ctx context.Context, id int64) (time.Duration, error) {
	var p store.Promotion
	err := c.cfg.Hub.View(ctx, func(tx store.Tx) error {
		var err error
		p, err = tx.GetPromotion(id)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil || p.State.Terminal() {
		return 0, err
	}
	to, err := c.cfg.Env(p.To)
	if err != nil {
		// Environments are never removed: one not there yet is being
		// opened (a server starting). Look again.
		return 0, fmt.Errorf("promotion %d: target: %w", p.ID, err)
	}
	if p.State == store.PromotionDeploying {
		return c.deploying(ctx, p, to)
	}
	return c.waiting(ctx, p, to)
}

// waiting advances a promotion's gates and deploys once all passed.
func (c *Controller) waiting(ctx context.Context, p store.Promotion, to *Env) (time.Duration, error) {
	now := c.cfg.Clock.Now()
	before := store.Copy(p)
	f, err := c.facts(ctx, p)
	if err != nil {
		return 0, err
	}
	act, after := Advance(&p, f, now)
	if act == Measure {
		if err := c.measure(ctx, &p, f.Source, now); err != nil {
			return 0, err
		}
		act, after = Advance(&p, f, now)
	}
	switch act {
	case StartTests:
		c.startTests(p, to)
	case Deploy:
		// The gates' results are stored before anything is deployed: a
		// crash after this never runs a gate again; Deploying with no
		// operation yet makes one (or finds the one a cut pass made).
		c.forget(p.ID)
		p.State, p.Reason = store.PromotionDeploying, "every gate passed; deploying into "+p.To
		saved, err := c.saved(ctx, before, p)
		if err != nil {
			return 0, err
		}
		return c.deploying(ctx, saved, to)
	}
	if p.State == store.PromotionFailed {
		c.forget(p.ID)
		return 0, c.finish(ctx, before, p, store.PromotionFailed, p.Reason)
	}
	if err := c.save(ctx, before, p); err != nil {
		return 0, err
	}
	if f.Test != nil {
		c.forget(p.ID)
	}
	return after, nil
}

// finish ends a promotion (before is it as last stored).
func (c *Controller) finish(ctx context.Context, before, p store.Promotion, state store.PromotionState, reason string) error {
	p.State, p.Reason, p.FinishedAt = state, reason, c.cfg.Clock.Now()
	if err := c.save(ctx, before, p); err != nil {
		return err
	}
	c.cfg.Logger.Info("promotion ended", "id", p.ID, "service", p.Service, "version", p.Version, "to", p.To, "state", state, "reason", reason)
	return nil
}

// save stores a promotion that changed since before, in one transaction
// with an event for each gate that ended and for its state when that
// moved (promotion.gate.passed|failed, promotion.deploying|succeeded|
// failed|cancelled), in the hub's event log with the promotion itself.
//
// The write names the version the pass read: a promotion changed
// meanwhile (cancelled, approved) is a conflict, and the pass starts
// again from what is stored.
func (c *Controller) save(ctx context.Context, before, p store.Promotion) error {
	_, err := c.saved(ctx, before, p)
	return err
}

// saved is save that returns the promotion as now stored.
func (c *Controller) saved(ctx context.Context, before, p store.Promotion) (store.Promotion, error) {
	if store.Same(before, p) {
		return p, nil
	}
	now := c.cfg.Clock.Now()
	err := c.cfg.Hub.Update(ctx, func(tx store.Tx) error {
		if err := tx.PutPromotion(p); err != nil {
			return err
		}
		for i, g := range p.Gates {
			if awaitsApproval(before, g, i) {
				e := store.Event{Time: now, Type: store.EventPromotionAwaitingApproval, Service: p.Service, Data: promotionData(p, &i),
					Message: fmt.Sprintf("promotion %d of %s version %s into %s waits for approval at gate %d: slipway approve %s --env %s", p.ID, p.Service, p.Version, p.To, i+1, p.Service, p.To)}
				if _, err := tx.AppendEvent(e); err != nil {
					return err
				}
			}
			typ, ended := store.GateEvent(g.State)
			if i < len(before.Gates) && before.Gates[i].State != g.State && ended {
				e := store.Event{Time: g.EndedAt, Type: typ, Service: p.Service, Data: promotionData(p, &i),
					Message: fmt.Sprintf("promotion %d of %s version %s into %s: gate %d (%s) %s: %s", p.ID, p.Service, p.Version, p.To, i+1, g.Kind, lower(g.State), g.Reason)}
				if _, err := tx.AppendEvent(e); err != nil {
					return err
				}
			}
		}
		typ, ok := store.PromotionEvent(p.State)
		if before.State == p.State || !ok {
			return nil
		}
		_, err := tx.AppendEvent(store.Event{Time: now, Type: typ, Service: p.Service, Revision: p.Revision, Data: promotionData(p, nil),
			Message: fmt.Sprintf("promotion %d of %s version %s into %s %s: %s", p.ID, p.Service, p.Version, p.To, lower(p.State), p.Reason)})
		return err
	})
	if err != nil {
		return p, err
	}
	p.StoreVersion++ // the store keeps a written record at one more
	return p, nil
}

// awaitsApproval reports whether gate i (g, as about to be stored) is an
// approval gate that became the one the promotion waits at in this
// write: advance gives the current gate its waiting reason once.
func awaitsApproval(before store.Promotion, g store.Gate, i int) bool {
	if g.Def.Approval == nil || g.State != store.GatePending || g.Reason == "" {
		return false
	}
	return i >= len(before.Gates) || before.Gates[i].Reason != g.Reason || before.Gates[i].State != g.State
}

func lower[S ~string](s S) string { return strings.ToLower(string(s)) }
