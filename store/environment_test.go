package store

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

// TestEnvironmentJSON pins the stored shape of a registry record: a
// change to it needs a migration of the rows already stored.
func TestEnvironmentJSON(t *testing.T) {
	at := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	e := Environment{Name: "staging", Router: "127.0.0.1:7481", Version: 3, CreatedAt: at,
		Down:     &Teardown{By: "ana", RequestedAt: at},
		LastDown: &Teardown{By: "bo", RequestedAt: at, DoneAt: at.Add(time.Minute)}}
	const want = `{"name":"staging","router":"127.0.0.1:7481",` +
		`"down":{"by":"ana","requestedAt":"2025-03-04T05:06:07Z"},` +
		`"lastDown":{"by":"bo","requestedAt":"2025-03-04T05:06:07Z","doneAt":"2025-03-04T05:07:07Z"},` +
		`"version":3,"createdAt":"2025-03-04T05:06:07Z"}`
	got, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("stored JSON changed:\n got %s\nwant %s", got, want)
	}
}

func TestEnvironmentStale(t *testing.T) {
	cases := []struct {
		version, stored int64
		exists          bool
		want            error
	}{
		{0, 0, false, nil},
		{0, 1, true, ErrConflict},
		{1, 0, false, ErrNotFound},
		{2, 2, true, nil},
		{1, 2, true, ErrConflict},
		{3, 2, true, ErrConflict},
	}
	for _, c := range cases {
		err := Environment{Name: "dev", Version: c.version}.Stale(c.stored, c.exists)
		if (c.want == nil) != (err == nil) || (c.want != nil && !errors.Is(err, c.want)) {
			t.Errorf("version %d over %d (exists %v): %v", c.version, c.stored, c.exists, err)
		}
	}
}
