package process

import (
	"path/filepath"
	"testing"
)

func TestUsersAreStableAndDistinct(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users.json")
	u := NewUsers(path)
	seen := map[int]string{}
	for _, key := range []string{"default/invoice", "default/order", "prod/invoice", "a", "b", "c"} {
		id, err := u.Allocate(key)
		if err != nil {
			t.Fatal(err)
		}
		if id < DynamicUIDFirst || id > DynamicUIDLast {
			t.Errorf("%s got %d, outside %d-%d", key, id, DynamicUIDFirst, DynamicUIDLast)
		}
		if other, dup := seen[id]; dup {
			t.Errorf("%s and %s share user %d", key, other, id)
		}
		seen[id] = key
	}
	again := NewUsers(path) // a restarted server
	for id, key := range seen {
		if got, err := again.Allocate(key); err != nil || got != id {
			t.Errorf("after restart %s = %d, %v; want %d", key, got, err, id)
		}
	}
}

func TestParseUser(t *testing.T) {
	cases := []struct {
		in       string
		uid, gid int
	}{
		{"root", 0, 0}, {"0", 0, 0}, {"1000", 1000, 1000}, {"1000:50", 1000, 50}, {"root:0", 0, 0},
	}
	for _, c := range cases {
		uid, gid, err := ParseUser(c.in)
		if err != nil || uid != c.uid || gid != c.gid {
			t.Errorf("ParseUser(%q) = %d, %d, %v; want %d, %d", c.in, uid, gid, err, c.uid, c.gid)
		}
	}
	if _, _, err := ParseUser("no-such-user-here"); err == nil {
		t.Error("an unknown user name was accepted")
	}
}
