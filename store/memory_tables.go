package store

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"
)

// tables is one version of Memory's state. Records are JSON documents,
// never mutated in place once committed. A write transaction starts from a
// shallow copy of the committed tables and clones each map the first time
// it writes to it (see memTx.own).
//
// events is append-only and shared with older snapshots: a snapshot only
// reads its own length, and the single writer appends past the committed
// length, so appending into spare capacity never touches what a reader sees.
type tables struct {
	app       []byte              // nil until PutApp
	services  map[string][]byte   // by name
	revisions map[string][][]byte // by service; revision n at index n-1
	instances map[string][]byte   // by ID
	// byService indexes instance IDs by service, each list sorted and
	// replaced (never changed in place) on write; owner is the reverse.
	byService  map[string][]string
	owner      map[string]string
	operations [][]byte   // operation id at index id-1
	events     []eventDoc // event seq at index seq-1
	flags      [][]byte   // flag config revision n at index n-1
	flagUsage  map[string]time.Time
	// versions are in push order; versionAt indexes them by key.
	versions   []versionDoc
	versionAt  map[versionKey]int
	promotions []promotionDoc // promotion id at index id-1
	// environments is the registry, by name.
	environments map[string]recordDoc
	// tokens are the API tokens, by name.
	tokens map[string]recordDoc
	// secrets are the sealed secrets' versions by name, version n at
	// index n-1.
	secrets map[string][][]byte
	// configs are the config versions by name, version n at index n-1;
	// deliveries each config's latest delivery.
	configs    map[string][][]byte
	deliveries map[string]recordDoc
	// cursors are the notification sinks' cursors by sink; links the
	// used one-time links by nonce.
	cursors map[string]recordDoc
	links   map[string][]byte
}

// recordDoc is a stored registry record (an environment, a token) with
// its version kept apart, so that a write checks it without decoding.
type recordDoc struct {
	version int64
	doc     []byte
}

// eventDoc is a stored event with its service and type kept apart for
// filtering.
type eventDoc struct {
	service string
	typ     EventType
	doc     []byte
}

func newTables() *tables {
	return &tables{
		services:  map[string][]byte{},
		revisions: map[string][][]byte{},
		instances: map[string][]byte{},
		byService: map[string][]string{},
		owner:     map[string]string{},
		flagUsage: map[string]time.Time{},
		versionAt: map[versionKey]int{},

		environments: map[string]recordDoc{},
		tokens:       map[string]recordDoc{},
		secrets:      map[string][][]byte{},
		configs:      map[string][][]byte{},
		deliveries:   map[string]recordDoc{},
		cursors:      map[string]recordDoc{},
		links:        map[string][]byte{},
	}
}

// table names the copy-on-write parts of tables.
type table int

const (
	tableServices table = 1 << iota
	tableRevisions
	tableInstances
	tableOperations
	tableFlags
	tableVersions
	tablePromotions
	tableEnvironments
	tableTokens
	tableSecrets
	tableConfigs
	tableSinks
)

// clone gives t its own copy of one table's container; the JSON values
// inside are immutable and stay shared.
func (t *tables) clone(which table) {
	switch which {
	case tableServices:
		t.services = maps.Clone(t.services)
	case tableRevisions:
		t.revisions = maps.Clone(t.revisions)
	case tableInstances:
		t.instances = maps.Clone(t.instances)
		t.byService = maps.Clone(t.byService)
		t.owner = maps.Clone(t.owner)
	case tableOperations:
		t.operations = slices.Clone(t.operations)
	case tableFlags:
		t.flags = slices.Clone(t.flags)
		t.flagUsage = maps.Clone(t.flagUsage)
	case tableVersions:
		t.versions = slices.Clone(t.versions)
		t.versionAt = maps.Clone(t.versionAt)
	case tablePromotions:
		t.promotions = slices.Clone(t.promotions)
	case tableEnvironments:
		t.environments = maps.Clone(t.environments)
	case tableTokens:
		t.tokens = maps.Clone(t.tokens)
	case tableSecrets:
		t.secrets = maps.Clone(t.secrets)
	case tableConfigs:
		t.configs = maps.Clone(t.configs)
		t.deliveries = maps.Clone(t.deliveries)
	case tableSinks:
		t.cursors = maps.Clone(t.cursors)
		t.links = maps.Clone(t.links)
	}
}

func encode(kind string, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", kind, err)
	}
	return b, nil
}

func decode[T any](kind string, b []byte) (T, error) {
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("decode %s: %w", kind, err)
	}
	return v, nil
}

// decodeAll decodes every document in docs, in order, with dec (decode,
// or decodeV for a versioned kind).
func decodeAll[T any](kind string, docs [][]byte, dec func(string, []byte) (T, error)) ([]T, error) {
	out := make([]T, 0, len(docs))
	for _, b := range docs {
		v, err := dec(kind, b)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// sortedValues returns m's values ordered by key.
func sortedValues(m map[string][]byte) [][]byte {
	keys := slices.Sorted(maps.Keys(m))
	out := make([][]byte, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}

// index records that instance id belongs to service. The lists are
// copied, never changed in place: older snapshots share them.
func (t *tables) index(id, service string) {
	if old, ok := t.owner[id]; ok {
		if old == service {
			return
		}
		t.unindex(id)
	}
	ids := t.byService[service]
	i, _ := slices.BinarySearch(ids, id)
	t.byService[service] = slices.Insert(slices.Clone(ids), i, id)
	t.owner[id] = service
}

// unindex forgets instance id's service.
func (t *tables) unindex(id string) {
	service, ok := t.owner[id]
	if !ok {
		return
	}
	ids := t.byService[service]
	if i, found := slices.BinarySearch(ids, id); found {
		ids = slices.Delete(slices.Clone(ids), i, i+1)
	}
	if len(ids) == 0 {
		delete(t.byService, service)
	} else {
		t.byService[service] = ids
	}
	delete(t.owner, id)
}

// envelope is how Memory keeps a versioned record: its store version
// beside its JSON (the record's own JSON leaves the version out).
type envelope struct {
	V int64           `json:"v"`
	R json.RawMessage `json:"r"`
}

// encodeV encodes rec as stored at version v.
func encodeV(kind string, v int64, rec any) ([]byte, error) {
	r, err := encode(kind, rec)
	if err != nil {
		return nil, err
	}
	return encode(kind, envelope{V: v, R: r})
}

// decodeV decodes a versioned record and sets its store version.
func decodeV[T any](kind string, b []byte) (T, error) {
	var rec T
	env, err := decode[envelope](kind, b)
	if err != nil {
		return rec, err
	}
	if rec, err = decode[T](kind, env.R); err != nil {
		return rec, err
	}
	SetVersion(&rec, env.V)
	return rec, nil
}

// versionOf returns the store version of a stored document (0: none).
func versionOf(kind string, b []byte) (int64, error) {
	if b == nil {
		return 0, nil
	}
	env, err := decode[envelope](kind, b)
	return env.V, err
}

// putV checks the version rule for a write of rec over stored (nil: no
// such record) and returns the document to store.
func putV(kind, key string, given int64, stored []byte, rec any) ([]byte, error) {
	cur, err := versionOf(kind, stored)
	if err != nil {
		return nil, err
	}
	if err := CheckVersion(kind, key, given, cur); err != nil {
		return nil, err
	}
	return encodeV(kind, cur+1, rec)
}
