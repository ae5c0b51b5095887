package store

import (
	"bytes"
	"encoding/json"
)

// Every mutable record (App, Service, Instance, Operation, Promotion)
// carries the version the store held when it was read, as Kubernetes'
// resourceVersion and nomad's ModifyIndex do. A write names the version
// it read and the store checks it:
//
//	Put(r) with r.StoreVersion == 0  creates r; ErrConflict if it exists
//	Put(r) with r.StoreVersion == n  replaces r if the store holds version n,
//	                            ErrConflict if it holds another (someone
//	                            wrote in between: re-read and retry),
//	                            ErrNotFound if it holds none
//
// A record is stored with version n+1 (1 when created), and reads set
// StoreVersion to it. The caller's value keeps the version it read: a second
// write of one record in one transaction reads it again first.
//
// Flag configurations are append-only revisions with the same rule: a
// new configuration names the revision it was made from
// (CreateFlagConfig).

// CheckVersion is the version rule for a write of the record of kind
// (for messages) named key, which read version given, over the version
// stored (0: no such record). Backends call it before writing.
func CheckVersion(kind, key string, given, stored int64) error {
	switch {
	case given == stored:
		return nil
	case stored == 0:
		return NotFoundf("%s %s not found: it was deleted since it was read", kind, key)
	case given == 0:
		return Conflictf("%s %s already exists (version %d): someone else created it; re-read and retry", kind, key, stored)
	default:
		return Conflictf("%s %s was changed by someone else (it is at version %d, this write read version %d): re-read and retry",
			kind, key, stored, given)
	}
}

// SetVersion sets the store version of a record read by a backend; rec
// is a pointer to one of the versioned record types (others are left
// alone).
func SetVersion(rec any, v int64) {
	if r, ok := rec.(versioned); ok {
		*r.storeVersion() = v
	}
}

// versioned is a pointer to a record that carries its store version.
type versioned interface{ storeVersion() *int64 }

func (r *App) storeVersion() *int64       { return &r.StoreVersion }
func (r *Service) storeVersion() *int64   { return &r.StoreVersion }
func (r *Instance) storeVersion() *int64  { return &r.StoreVersion }
func (r *Operation) storeVersion() *int64 { return &r.StoreVersion }
func (r *Promotion) storeVersion() *int64 { return &r.StoreVersion }

// CheckFlagBase is the version rule for a new flag configuration made
// from revision base when the latest stored is latest (0: none yet).
func CheckFlagBase(base, latest int) error {
	if base == latest {
		return nil
	}
	return Conflictf("the flags changed since they were read (now at revision %d, this change was made from revision %d): re-read and retry",
		latest, base)
}

// Same reports whether a and b would be stored alike: whether writing b
// over a changes anything. It compares the records as the store keeps
// them (their JSON), so pointers compare by what they point to, times by
// their instant and location as encoded, and the store version not at
// all. A value that cannot be encoded is never the same.
func Same[T any](a, b T) bool {
	ja, err := json.Marshal(a)
	if err != nil {
		return false
	}
	jb, err := json.Marshal(b)
	return err == nil && bytes.Equal(ja, jb)
}

// Copy returns a deep copy of v as the store would hand it back (its
// store version kept), to compare with Same after v is edited in place.
// A value that cannot be encoded comes back zero, which Same tells
// apart from any record.
//
// Copy is for that snapshot only: it is what Same compares, so the two
// agree on every type without a copier per type. A pure decide step
// that builds its next state from a record's parts uses their Clone
// methods (clone.go), which cost no encoding and keep an empty slice
// empty where the JSON would make it nil.
func Copy[T any](v T) T {
	var out T
	b, err := json.Marshal(v)
	if err != nil || json.Unmarshal(b, &out) != nil {
		var zero T
		return zero
	}
	if r, ok := any(&v).(versioned); ok {
		SetVersion(&out, *r.storeVersion())
	}
	return out
}
