package store

import (
	"errors"
	"fmt"
)

// terminalEvents names the event each terminal operation state commits
// with (stack's controller writes both in one transaction). Superseded
// has none of its own.
var terminalEvents = map[OperationState]EventType{
	OperationSucceeded:  EventOperationSucceeded,
	OperationRolledBack: EventOperationRolledBack,
	OperationFailed:     EventOperationFailed,
}

// Check reads a whole store in tx and returns every broken invariant, one
// line each (nil when none): the referential ones (each service's
// Revision and Stable exist, each instance's service and revision exist)
// and the agreement of state and event log (each terminal operation has
// its terminal event, each Ready service a service.rollout.succeeded
// event for the revision it runs). A committed transaction carries its
// events with its change, so a crash can break none of them; a backup
// and a chaos run check them all. A read error is returned as err.
func Check(tx Tx) (problems []string, err error) {
	evs, err := tx.ListEvents(0, "", 0)
	if err != nil {
		return nil, fmt.Errorf("check: list events: %w", err)
	}
	svcProblems, err := checkServices(tx, evs)
	if err != nil {
		return nil, err
	}
	opProblems, err := checkOperations(tx, evs)
	if err != nil {
		return nil, err
	}
	return append(svcProblems, opProblems...), nil
}

// checkServices checks the services and their instances.
func checkServices(tx Tx, evs []Event) ([]string, error) {
	svcs, err := tx.ListServices()
	if err != nil {
		return nil, fmt.Errorf("check: list services: %w", err)
	}
	var out []string
	for _, s := range svcs {
		for _, n := range []int{s.Revision, s.Stable} {
			if p, err := missingRevision(tx, s.Name, n); err != nil || p != "" {
				if err != nil {
					return nil, err
				}
				out = append(out, "service "+s.Name+": "+p)
			}
		}
		if s.Phase == PhaseReady && !s.Removed && !hasEvent(evs, EventRolloutSucceeded, s.Name, s.Revision, 0) {
			out = append(out, fmt.Sprintf("service %s: Ready at revision %d without a %s event for it", s.Name, s.Revision, EventRolloutSucceeded))
		}
	}
	insts, err := tx.ListInstances("")
	if err != nil {
		return nil, fmt.Errorf("check: list instances: %w", err)
	}
	for _, in := range insts {
		if _, err := tx.GetService(in.Service); errors.Is(err, ErrNotFound) {
			out = append(out, fmt.Sprintf("instance %s: its service %s does not exist", in.ID, in.Service))
		} else if err != nil {
			return nil, fmt.Errorf("check: instance %s: %w", in.ID, err)
		}
		p, err := missingRevision(tx, in.Service, in.Revision)
		if err != nil {
			return nil, err
		}
		if p != "" {
			out = append(out, "instance "+in.ID+": "+p)
		}
	}
	return out, nil
}

// missingRevision describes revision n of service when n is set and the
// revision is not stored ("" otherwise).
func missingRevision(tx Tx, service string, n int) (string, error) {
	if n == 0 {
		return "", nil
	}
	_, err := tx.GetRevision(service, n)
	switch {
	case errors.Is(err, ErrNotFound):
		return fmt.Sprintf("revision %d does not exist", n), nil
	case err != nil:
		return "", fmt.Errorf("check: revision %s/%d: %w", service, n, err)
	}
	return "", nil
}

// checkOperations checks that each terminal operation has its terminal
// event.
func checkOperations(tx Tx, evs []Event) ([]string, error) {
	ops, err := tx.ListOperations(false, 0)
	if err != nil {
		return nil, fmt.Errorf("check: list operations: %w", err)
	}
	var out []string
	for _, op := range ops {
		want, ok := terminalEvents[op.State]
		if ok && !hasEvent(evs, want, "", 0, op.ID) {
			out = append(out, fmt.Sprintf("operation %d: %s without a %s event", op.ID, op.State, want))
		}
	}
	return out, nil
}

// hasEvent reports whether evs holds an event of type ty for the given
// service, revision and operation (each ignored when zero).
func hasEvent(evs []Event, ty EventType, service string, revision int, op int64) bool {
	for _, ev := range evs {
		if ev.Type == ty && (service == "" || ev.Service == service) &&
			(revision == 0 || ev.Revision == revision) && (op == 0 || ev.Operation == op) {
			return true
		}
	}
	return false
}
