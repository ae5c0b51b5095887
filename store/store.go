package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Errors a Store returns; callers test them with errors.Is.
var (
	// ErrNotFound means the record asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict means the write clashes with what is stored (a record
	// that already exists, an immutable field changed, a record changed
	// since the writer read it: see version.go).
	ErrConflict = errors.New("conflict")
	// ErrInvalid means the request itself is wrong (a weight of 120).
	ErrInvalid = errors.New("invalid")
	// ErrNoSpace means the store could not write for lack of disk space:
	// the transaction rolled back; it may succeed once space is freed.
	ErrNoSpace = errors.New("no space left on the store's disk")
)

// Store is the single source of truth: desired state, revisions, instance
// records, operations and the event log. All reads and writes happen in
// transactions; an event appended in a transaction commits or rolls back
// with the change it records.
//
// Implementations: Memory (this package) and store/sqlite (the default).
// Both pass storetest.Run.
type Store interface {
	// View runs fn in a read-only transaction. fn must not keep tx.
	View(ctx context.Context, fn func(tx Tx) error) error
	// Update runs fn in a read-write transaction, committed when fn
	// returns nil and rolled back (nothing changes) when it returns an
	// error, which Update returns as is. Writes through a View tx fail.
	Update(ctx context.Context, fn func(tx Tx) error) error
	// Close releases the store.
	Close() error
}

// Tx reads and writes records. Every getter returns ErrNotFound (wrapped)
// when the record does not exist. Returned values are copies: mutating
// them changes nothing until they are Put back.
type Tx interface {
	// GetApp returns the app record (there is one app per server).
	GetApp() (App, error)
	// PutApp creates or replaces the app record (version-checked: see
	// version.go, as for every Put of a mutable record).
	PutApp(a App) error

	// GetService returns one service.
	GetService(name string) (Service, error)
	// ListServices returns all services ordered by name.
	ListServices() ([]Service, error)
	// PutService creates or replaces a service (version-checked).
	PutService(s Service) error
	// DeleteService removes a service record (its revisions stay);
	// ErrNotFound if there is none.
	DeleteService(name string) error

	// CreateRevision stores r with Number set to one more than the
	// service's highest revision (ever: numbering carries on after
	// DeleteService), and returns it; r.Number as passed is ignored.
	// Revisions are immutable except for State and Reason (see
	// SetRevisionState).
	CreateRevision(r Revision) (Revision, error)
	// GetRevision returns revision n of a service.
	GetRevision(service string, n int) (Revision, error)
	// ListRevisions returns a service's revisions, oldest first (none,
	// without error, for a service that has none).
	ListRevisions(service string) ([]Revision, error)
	// SetRevisionState changes a revision's lifecycle state and reason.
	SetRevisionState(service string, n int, state RevisionState, reason string) error

	// PutInstance creates or replaces an instance record
	// (version-checked).
	PutInstance(i Instance) error
	// GetInstance returns one instance record.
	GetInstance(id string) (Instance, error)
	// ListInstances returns a service's instances ordered by ID, or all
	// instances when service is "".
	ListInstances(service string) ([]Instance, error)
	// DeleteInstance removes an instance record; ErrNotFound if there is
	// none.
	DeleteInstance(id string) error

	// CreateOperation stores op with a new ID and returns it (at store
	// version 1).
	CreateOperation(op Operation) (Operation, error)
	// PutOperation replaces an existing operation (ErrNotFound if none;
	// version-checked).
	PutOperation(op Operation) error
	// GetOperation returns one operation.
	GetOperation(id int64) (Operation, error)
	// ListOperations returns up to limit operations (all when limit <= 0),
	// newest (highest ID) first; only the ones not yet terminal when
	// activeOnly is set.
	ListOperations(activeOnly bool, limit int) ([]Operation, error)

	// PutVersion stores a pushed version. Versions are immutable: when
	// the service already has v.Version with the same Digest, PutVersion
	// does nothing and returns nil (the same file pushed again); with
	// another Digest it returns ErrConflict naming both. An empty
	// Service, Version or Digest is ErrInvalid.
	PutVersion(v Version) error
	// GetVersion returns one version of a service.
	GetVersion(service, version string) (Version, error)
	// ListVersions returns a service's versions, or every service's when
	// service is "", oldest pushed first (none, without error, when there
	// are none).
	ListVersions(service string) ([]Version, error)
	// VersionByDigest returns the service's version with that digest
	// pushed last (one file may be pushed under several versions).
	VersionByDigest(service, digest string) (Version, error)

	// CreatePromotion stores p with a new ID, higher than any stored, and
	// returns it; p.ID as passed is ignored. An empty Service is
	// ErrInvalid.
	CreatePromotion(p Promotion) (Promotion, error)
	// PutPromotion replaces an existing promotion (ErrNotFound if none;
	// an empty Service is ErrInvalid; version-checked).
	PutPromotion(p Promotion) error
	// GetPromotion returns one promotion.
	GetPromotion(id int64) (Promotion, error)
	// ListPromotions returns up to limit promotions (all when limit <= 0)
	// of one service, or of every service when service is "", newest
	// (highest ID) first; only the ones not yet terminal when activeOnly
	// is set.
	ListPromotions(service string, activeOnly bool, limit int) ([]Promotion, error)

	// GetEnvironment returns one environment of the registry (kept in
	// the default environment's store).
	GetEnvironment(name string) (Environment, error)
	// ListEnvironments returns the registry's environments ordered by
	// name (none, without error, when it is empty).
	ListEnvironments() ([]Environment, error)
	// PutEnvironment creates or replaces an environment, checking its
	// Version (Environment.Stale: 0 creates it, otherwise it must be the
	// stored version; a mismatch is ErrConflict) and storing it with
	// Version one higher. An empty Name is ErrInvalid.
	PutEnvironment(e Environment) error
	// DeleteEnvironment removes an environment from the registry;
	// ErrNotFound if there is none.
	DeleteEnvironment(name string) error

	// GetToken returns one API token (kept in the default environment's
	// store); ErrNotFound if there is none.
	GetToken(name string) (Token, error)
	// ListTokens returns every API token ordered by name.
	ListTokens() ([]Token, error)
	// PutToken creates or replaces a token, checking its Version (0
	// creates it; otherwise it must be the stored version, else
	// ErrConflict) and storing it with Version one higher. A token
	// without name, role or a SHA-256 hash is ErrInvalid.
	PutToken(t Token) error
	// DeleteToken removes a token (revokes it); ErrNotFound if there is
	// none.
	DeleteToken(name string) error

	// AddSecret stores s as the next version of its secret (Version set
	// to one more than the highest stored for its name, 1 for the first)
	// and returns it; s.Version as passed is ignored. A secret without
	// name or sealed value is ErrInvalid. Versions are never changed or
	// deleted: revisions name them.
	AddSecret(s Secret) (Secret, error)
	// GetSecret returns one version of a secret, the latest when version
	// <= 0; ErrNotFound when there is none.
	GetSecret(name string, version int) (Secret, error)
	// ListSecrets returns the latest version of every secret, ordered by
	// name.
	ListSecrets() ([]Secret, error)

	// GetSinkCursor returns a notification destination's cursor;
	// ErrNotFound when it has none yet.
	GetSinkCursor(sink string) (SinkCursor, error)
	// ListSinkCursors returns every cursor ordered by sink.
	ListSinkCursors() ([]SinkCursor, error)
	// PutSinkCursor creates or replaces a cursor, checking its Version (0
	// creates it; otherwise it must be the stored version, else
	// ErrConflict) and storing it with Version one higher.
	PutSinkCursor(c SinkCursor) error
	// UseLink records a one-time link's use; a nonce used before is
	// ErrConflict (the link works once).
	UseLink(u LinkUse) error

	// CreateFlagConfig stores c as the latest flag configuration with
	// Revision set to one more than the highest, and returns it. c.Revision
	// as passed is the revision c was made from, which must be the latest
	// (0 when there is none): else ErrConflict (see version.go).
	CreateFlagConfig(c FlagConfig) (FlagConfig, error)
	// GetFlagConfig returns the latest flag configuration; ErrNotFound
	// when there is none yet.
	GetFlagConfig() (FlagConfig, error)
	// FlagConfigRevision returns the latest flag configuration's revision
	// without reading it (0 when there is none): a cheap "did it change".
	FlagConfigRevision() (int, error)
	// ListFlagConfigs returns up to limit flag configurations (all when
	// limit <= 0), newest first.
	ListFlagConfigs(limit int) ([]FlagConfig, error)
	// PutFlagUsage records when flags were last evaluated (keys absent
	// keep their time).
	PutFlagUsage(evaluated map[string]time.Time) error
	// ListFlagUsage returns when each flag was last evaluated.
	ListFlagUsage() (map[string]time.Time, error)

	// CreateConfigVersion stores v as the config's latest version with
	// Version set to one more than its highest, and returns it. v.Version
	// as passed is the version v was made from, which must be the latest
	// (0 when there is none): else ErrConflict. An empty Name is
	// ErrInvalid.
	CreateConfigVersion(v ConfigVersion) (ConfigVersion, error)
	// GetConfigVersion returns version n of a config, its latest when n
	// <= 0.
	GetConfigVersion(name string, n int) (ConfigVersion, error)
	// ListConfigVersions returns up to limit versions of a config (all
	// when limit <= 0), newest first (none, without error, for a config
	// that has none).
	ListConfigVersions(name string, limit int) ([]ConfigVersion, error)
	// ListConfigs returns the latest version of every config, by name.
	ListConfigs() ([]ConfigVersion, error)
	// GetConfigDelivery returns a config's latest delivery.
	GetConfigDelivery(name string) (ConfigDelivery, error)
	// PutConfigDelivery creates or replaces a config's delivery
	// (version-checked).
	PutConfigDelivery(d ConfigDelivery) error
	// ListConfigDeliveries returns every config's latest delivery, by
	// name.
	ListConfigDeliveries() ([]ConfigDelivery, error)

	// AppendEvent stores e with the next sequence number and returns it.
	// e.Data must be valid JSON (or empty).
	AppendEvent(e Event) (Event, error)
	// ListEvents returns up to limit events (all when limit <= 0) with
	// Seq > after, oldest first; only those of one service when service
	// is not "".
	ListEvents(after int64, service string, limit int) ([]Event, error)
	// ListEventsBefore returns up to limit events (all when limit <= 0)
	// with Seq < before (any Seq when before <= 0), newest first; only
	// those of one service when service is not "". The newest event of a
	// service, or the newest page of the log, costs one index search
	// however long the log.
	ListEventsBefore(before int64, service string, limit int) ([]Event, error)
	// ListEventsOfType returns up to limit events (all when limit <= 0)
	// with Seq > after whose Type is one of types, oldest first. Readers
	// of a few kinds of event (the DORA metrics, incidents) use it to
	// skip the many others without decoding them.
	ListEventsOfType(after int64, types []EventType, limit int) ([]Event, error)
}

// kindError is an error of one of the kinds above whose message stands on
// its own (it does not end in ": not found").
type kindError struct {
	msg  string
	kind error
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }

// NotFoundf returns an error that errors.Is ErrNotFound, with a message
// that says what was looked for.
func NotFoundf(format string, args ...any) error {
	return &kindError{msg: fmt.Sprintf(format, args...), kind: ErrNotFound}
}

// Conflictf returns an error that errors.Is ErrConflict, with a message
// that says what clashes and what to do.
func Conflictf(format string, args ...any) error {
	return &kindError{msg: fmt.Sprintf(format, args...), kind: ErrConflict}
}

// Invalidf returns an error that errors.Is ErrInvalid, with a message
// that says what would be valid.
func Invalidf(format string, args ...any) error {
	return &kindError{msg: fmt.Sprintf(format, args...), kind: ErrInvalid}
}
