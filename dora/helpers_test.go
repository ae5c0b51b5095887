package dora

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/store"
)

// t0 is the start of every synthetic history; hr(n) is n hours after it.
var t0 = time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)

func hr(n float64) time.Time { return t0.Add(time.Duration(n * float64(time.Hour))) }

// log builds a synthetic event history the way stack and rollout write
// it (with store.EventRolloutStarted, which dora does not read: a
// rollout's outcome says all it needs, and the histories here hold it to
// show that). Times are hours after t0.
type log struct{ evs []store.Event }

func (l *log) add(at float64, typ store.EventType, svc string, rev int, op int64, data string) *log {
	e := store.Event{Seq: int64(len(l.evs) + 1), Time: hr(at), Type: typ, Service: svc, Revision: rev, Operation: op}
	if data != "" {
		e.Data = json.RawMessage(data)
	}
	l.evs = append(l.evs, e)
	return l
}

// deploy is an apply (operation op) that takes svc to rev, started at
// start and running at done; commit "" means the artifact names none.
func (l *log) deploy(op int64, svc string, rev int, start, done float64, commit string, committed float64) *log {
	l.add(start, store.EventOperationStarted, "", 0, op, "")
	l.add(start, store.EventRolloutStarted, svc, 0, op, "")
	data := ""
	if commit != "" {
		data = fmt.Sprintf(`{"artifact":{"path":"bin/x","commit":%q,"commitTime":%q}}`, commit, hr(committed).Format(time.RFC3339))
	}
	return l.add(done, store.EventRolloutSucceeded, svc, rev, op, data)
}

// deployCommits is a deploy of a pushed version whose artifact carries
// several commits (id, committed hour), the first being its own.
func (l *log) deployCommits(op int64, svc string, rev int, start, done float64, commits [][2]any) *log {
	l.add(start, store.EventRolloutStarted, svc, 0, op, "")
	var list []string
	for _, c := range commits {
		list = append(list, fmt.Sprintf(`{"id":%q,"time":%q}`, c[0], hr(c[1].(float64)).Format(time.RFC3339)))
	}
	data := fmt.Sprintf(`{"artifact":{"path":"bin/x","commit":%q,"commitTime":%q,"commits":[%s]}}`,
		commits[0][0], hr(commits[0][1].(float64)).Format(time.RFC3339), strings.Join(list, ","))
	return l.add(done, store.EventRolloutSucceeded, svc, rev, op, data)
}

// failDeploy is an apply of rev that fails at failed with a failure
// event of type typ, reverted to prev by restored.
func (l *log) failDeploy(op int64, svc string, rev, prev int, start, failed, restored float64, typ store.EventType) *log {
	l.add(start, store.EventRolloutStarted, svc, 0, op, "")
	l.add(failed, typ, svc, rev, op, "")
	l.add(failed, store.EventOperationRollingBack, svc, 0, op, "")
	l.add(failed, store.EventRollbackStarted, svc, 0, op, "")
	return l.add(restored, store.EventRolloutSucceeded, svc, prev, op, "")
}

// rollback is a person's `slipway rollback svc --to rev`, asked at asked
// and converged at done.
func (l *log) rollback(op int64, svc string, to int, asked, done float64) *log {
	l.add(asked, store.EventRollbackRequested, svc, to, op, "")
	l.add(asked, store.EventRolloutStarted, svc, 0, op, "")
	return l.add(done, store.EventRolloutSucceeded, svc, to, op, "")
}

func (l *log) incident(id int, svc string, cause int, at float64) *log {
	return l.add(at, store.EventIncidentOpened, svc, cause, 0, fmt.Sprintf(`{"id":%d,"env":"default","causedBy":%d,"title":"t"}`, id, cause))
}

func (l *log) resolve(id int, svc string, at float64) *log {
	return l.add(at, store.EventIncidentResolved, svc, 0, 0, fmt.Sprintf(`{"id":%d,"env":"default"}`, id))
}

func mins(n float64) time.Duration { return time.Duration(n * float64(time.Minute)) }
func hrs(n float64) time.Duration  { return time.Duration(n * float64(time.Hour)) }
