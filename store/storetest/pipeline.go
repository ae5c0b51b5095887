package storetest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/store"
)

func sampleVersion(service, version, digest string) store.Version {
	return store.Version{
		Service: service, Version: version, Kind: store.VersionFile, Digest: digest,
		Path: service + ".tar.gz", Size: 4096,
		Commit: "c0ffee", CommitTime: epoch.Add(-time.Hour),
		Commits: []store.Commit{
			{ID: "c0ffee", Time: epoch.Add(-time.Hour)},
			{ID: "badc0de", Time: epoch.Add(-2 * time.Hour)},
		},
		PushedAt: epoch,
	}
}

// sampleImage is a version that is an OCI image pinned to digest.
func sampleImage(service, version, digest string) store.Version {
	return store.Version{
		Service: service, Version: version, Kind: store.VersionImage, Digest: digest,
		Image: "registry.example/shop/" + service + ":" + version + "@" + digest, Size: 1 << 20, PushedAt: epoch,
	}
}

func samplePromotion(service string, state store.PromotionState) store.Promotion {
	return store.Promotion{
		Service: service, Version: "1.2.0", Digest: "sha256:aa",
		From: "staging", To: "production", State: state, Reason: "waiting for approval",
		Gates: []store.Gate{
			{Kind: "tests", Spec: "make e2e", State: store.GatePassed, StartedAt: epoch,
				EndedAt: epoch.Add(time.Minute), Output: "ok\n", Attempt: 1},
			{Kind: "approval", State: store.GatePending, Reason: "waiting for approval"},
		},
		By: "ana", CreatedAt: epoch, GatesPassedAt: epoch.Add(time.Minute),
	}
}

// testVersions pushes versions in an order that is neither by service nor
// by label, and reads them back.
func testVersions(t *testing.T, s store.Store) {
	pushed := []store.Version{
		sampleVersion("a", "v3", "sha256:01"),
		sampleVersion("b", "v1", "sha256:02"),
		sampleVersion("a", "v1", "sha256:03"),
		sampleVersion("a", "v2", "sha256:01"), // the file of v3 again
		sampleImage("c", "v1", "sha256:04"),
	}
	update(t, s, func(tx store.Tx) error {
		for _, v := range pushed[:2] {
			must(t, tx.PutVersion(v))
		}
		return tx.PutVersion(pushed[0]) // again in the same transaction
	})
	update(t, s, func(tx store.Tx) error {
		for _, v := range pushed[2:] {
			must(t, tx.PutVersion(v))
		}
		// The same file again, pushed later: nothing changes.
		again := pushed[1]
		again.PushedAt, again.Path = epoch.Add(time.Hour), "other"
		return tx.PutVersion(again)
	})
	view(t, s, func(tx store.Tx) error {
		all, err := tx.ListVersions("")
		must(t, err)
		equal(t, "all versions", all, pushed)
		as, err := tx.ListVersions("a")
		must(t, err)
		equal(t, "a's versions", as, []store.Version{pushed[0], pushed[2], pushed[3]})
		none, err := tx.ListVersions("d")
		must(t, err)
		equal(t, "d's versions", len(none), 0)
		img, err := tx.VersionByDigest("c", "sha256:04")
		must(t, err)
		equal(t, "c's image", img, pushed[4])
		got, err := tx.GetVersion("b", "v1")
		must(t, err)
		equal(t, "b/v1", got, pushed[1])
		got, err = tx.VersionByDigest("a", "sha256:01")
		must(t, err)
		equal(t, "a's version of sha256:01", got, pushed[3])
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		for name, get := range map[string]func() error{
			"GetVersion(b, v2)":                func() error { _, err := tx.GetVersion("b", "v2"); return err },
			"GetVersion(d, v1)":                func() error { _, err := tx.GetVersion("d", "v1"); return err },
			"VersionByDigest(b, sha256:01)":    func() error { _, err := tx.VersionByDigest("b", "sha256:01"); return err },
			"VersionByDigest(a, sha256:ff)":    func() error { _, err := tx.VersionByDigest("a", "sha256:ff"); return err },
			"VersionByDigest(\"\", sha256:01)": func() error { _, err := tx.VersionByDigest("", "sha256:01"); return err },
		} {
			notFound(t, name, get)
		}
		_, err := tx.GetVersion("b", "v2")
		mentions(t, err, "b", "v2")
		return nil
	})
}

// testVersionConflicts checks that a version is immutable and that its
// key fields are required.
func testVersionConflicts(t *testing.T, s store.Store) {
	first := sampleVersion("a", "v1", "sha256:01")
	update(t, s, func(tx store.Tx) error { return tx.PutVersion(first) })
	other := sampleVersion("a", "v1", "sha256:02")
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.PutVersion(other) })
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("a version pushed again with another digest: got %v, want ErrConflict", err)
	}
	mentions(t, err, "sha256:01", "sha256:02")
	for _, v := range []store.Version{
		{Version: "v2", Digest: "sha256:03"},
		{Service: "a", Digest: "sha256:03"},
		{Service: "a", Version: "v2"},
		{Service: "a", Version: "v2", Digest: "sha256:03"}, // no kind
		{Service: "a", Version: "v2", Kind: store.VersionImage, Digest: "sha256:03", Image: "shop/a:v2"}, // image not pinned
		{},
	} {
		err := s.Update(t.Context(), func(tx store.Tx) error { return tx.PutVersion(v) })
		if !errors.Is(err, store.ErrInvalid) {
			t.Errorf("PutVersion(%+v): got %v, want ErrInvalid", v, err)
		}
	}
	view(t, s, func(tx store.Tx) error {
		all, err := tx.ListVersions("")
		must(t, err)
		equal(t, "versions", all, []store.Version{first})
		return nil
	})
}

func testPromotions(t *testing.T, s store.Store) {
	var last int64
	for i := range 3 {
		update(t, s, func(tx store.Tx) error {
			want := samplePromotion("a", store.PromotionWaiting)
			in := want
			in.ID = 100 + int64(i) // ignored: the store numbers promotions
			p, err := tx.CreatePromotion(in)
			must(t, err)
			if p.ID <= last {
				t.Errorf("promotion id %d after %d: want increasing", p.ID, last)
			}
			last, want.ID, want.StoreVersion = p.ID, p.ID, 1
			equal(t, "created", p, want)
			return nil
		})
	}
	want := samplePromotion("a", store.PromotionDeploying)
	want.ID, want.Operation, want.Revision, want.StoreVersion = last, 7, 3, 1
	want.Gates[1].State, want.Gates[1].ApprovedBy = store.GatePassed, "bo"
	update(t, s, func(tx store.Tx) error { return tx.PutPromotion(want) })
	want.StoreVersion = 2
	view(t, s, func(tx store.Tx) error {
		p, err := tx.GetPromotion(last)
		must(t, err)
		equal(t, "replaced", p, want)
		for _, id := range []int64{0, -1, last + 1} {
			notFound(t, "GetPromotion", func() error { _, err := tx.GetPromotion(id); return err })
		}
		return nil
	})
	missing := samplePromotion("a", store.PromotionWaiting)
	missing.ID = last + 1
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.PutPromotion(missing) })
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PutPromotion of no promotion: got %v, want ErrNotFound", err)
	}
	for name, write := range map[string]func(tx store.Tx) error{
		"CreatePromotion": func(tx store.Tx) error { _, err := tx.CreatePromotion(store.Promotion{To: "x"}); return err },
		"PutPromotion":    func(tx store.Tx) error { return tx.PutPromotion(store.Promotion{ID: last, To: "x", StoreVersion: 2}) },
	} {
		if err := s.Update(t.Context(), write); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s without a service: got %v, want ErrInvalid", name, err)
		}
	}
}

func testListPromotions(t *testing.T, s store.Store) {
	created := []struct {
		service string
		state   store.PromotionState
	}{
		{"a", store.PromotionSucceeded}, {"b", store.PromotionWaiting}, {"a", store.PromotionDeploying},
		{"a", store.PromotionFailed}, {"b", store.PromotionCancelled}, {"a", store.PromotionWaiting},
	}
	var c []int64
	update(t, s, func(tx store.Tx) error {
		for _, p := range created {
			got, err := tx.CreatePromotion(samplePromotion(p.service, p.state))
			must(t, err)
			c = append(c, got.ID)
		}
		return nil
	})
	// b's waiting promotion ends: it leaves the active ones.
	update(t, s, func(tx store.Tx) error {
		p, err := tx.GetPromotion(c[1])
		must(t, err)
		p.State = store.PromotionSucceeded
		return tx.PutPromotion(p)
	})
	view(t, s, func(tx store.Tx) error {
		for _, tc := range []struct {
			service string
			active  bool
			limit   int
			want    []int64
		}{
			{"", false, 0, []int64{c[5], c[4], c[3], c[2], c[1], c[0]}},
			{"", false, 2, []int64{c[5], c[4]}},
			{"", true, 0, []int64{c[5], c[2]}},
			{"", true, 10, []int64{c[5], c[2]}},
			{"a", false, 0, []int64{c[5], c[3], c[2], c[0]}},
			{"a", false, 3, []int64{c[5], c[3], c[2]}},
			{"a", true, 1, []int64{c[5]}},
			{"b", false, 0, []int64{c[4], c[1]}},
			{"b", true, 0, nil},
			{"nope", false, 0, nil},
		} {
			ps, err := tx.ListPromotions(tc.service, tc.active, tc.limit)
			must(t, err)
			var got []int64
			for _, p := range ps {
				got = append(got, p.ID)
				if tc.service != "" && p.Service != tc.service {
					t.Errorf("promotions of %s hold one of %s", tc.service, p.Service)
				}
			}
			equal(t, "ids", got, tc.want)
		}
		return nil
	})
}

// testPipelineRollback checks that a failed Update leaves versions and
// promotions as they were, the active ones included.
func testPipelineRollback(t *testing.T, s store.Store) {
	v1 := sampleVersion("a", "v1", "sha256:01")
	var p store.Promotion
	update(t, s, func(tx store.Tx) error {
		must(t, tx.PutVersion(v1))
		var err error
		p, err = tx.CreatePromotion(samplePromotion("a", store.PromotionWaiting))
		return err
	})
	boom := errors.New("boom")
	err := s.Update(t.Context(), func(tx store.Tx) error {
		must(t, tx.PutVersion(sampleVersion("a", "v2", "sha256:02")))
		// The replacement first: a backend that wrote it in place would
		// change what the last commit stored.
		ended := p
		ended.State = store.PromotionFailed
		must(t, tx.PutPromotion(ended))
		_, err := tx.CreatePromotion(samplePromotion("b", store.PromotionWaiting))
		must(t, err)
		return boom
	})
	if err != boom {
		t.Fatalf("Update returned %v, want fn's error as is", err)
	}
	view(t, s, func(tx store.Tx) error {
		vs, err := tx.ListVersions("")
		must(t, err)
		equal(t, "versions", vs, []store.Version{v1})
		notFound(t, "version of the failed Update", func() error { _, err := tx.GetVersion("a", "v2"); return err })
		ps, err := tx.ListPromotions("", false, 0)
		must(t, err)
		equal(t, "promotions", ps, []store.Promotion{p})
		active, err := tx.ListPromotions("a", true, 0)
		must(t, err)
		equal(t, "active promotions", active, []store.Promotion{p})
		return nil
	})
}

func testPipelineViewRejectsWrites(t *testing.T, s store.Store) {
	v1 := sampleVersion("a", "v1", "sha256:01")
	var p store.Promotion
	update(t, s, func(tx store.Tx) error {
		must(t, tx.PutVersion(v1))
		var err error
		p, err = tx.CreatePromotion(samplePromotion("a", store.PromotionWaiting))
		return err
	})
	ended := p
	ended.State = store.PromotionSucceeded
	writes := map[string]func(tx store.Tx) error{
		"PutVersion":         func(tx store.Tx) error { return tx.PutVersion(sampleVersion("a", "v2", "sha256:02")) },
		"PutVersion (again)": func(tx store.Tx) error { return tx.PutVersion(v1) },
		"PutPromotion":       func(tx store.Tx) error { return tx.PutPromotion(ended) },
		"CreatePromotion": func(tx store.Tx) error {
			_, err := tx.CreatePromotion(samplePromotion("a", store.PromotionWaiting))
			return err
		},
	}
	for name, write := range writes {
		if err := s.View(t.Context(), write); err == nil {
			t.Errorf("%s in View: no error", name)
		}
	}
	view(t, s, func(tx store.Tx) error {
		vs, err := tx.ListVersions("")
		must(t, err)
		equal(t, "versions", vs, []store.Version{v1})
		ps, err := tx.ListPromotions("", false, 0)
		must(t, err)
		equal(t, "promotions", ps, []store.Promotion{p})
		return nil
	})
}

// testPipelineCopies mutates the slices of versions and promotions put
// and returned, and checks that re-reads are unchanged.
func testPipelineCopies(t *testing.T, s store.Store) {
	v := sampleVersion("a", "v1", "sha256:01")
	var id int64
	update(t, s, func(tx store.Tx) error {
		must(t, tx.PutVersion(v))
		scribbleVersion(&v)
		p := samplePromotion("a", store.PromotionWaiting)
		created, err := tx.CreatePromotion(p)
		id = created.ID
		scribblePromotion(&p)
		scribblePromotion(&created)
		return err
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetVersion("a", "v1")
		must(t, err)
		scribbleVersion(&got)
		byDigest, err := tx.VersionByDigest("a", "sha256:01")
		must(t, err)
		scribbleVersion(&byDigest)
		vs, err := tx.ListVersions("a")
		must(t, err)
		scribbleVersion(&vs[0])
		p, err := tx.GetPromotion(id)
		must(t, err)
		scribblePromotion(&p)
		ps, err := tx.ListPromotions("a", true, 0)
		must(t, err)
		scribblePromotion(&ps[0])
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetVersion("a", "v1")
		must(t, err)
		equal(t, "version", got, sampleVersion("a", "v1", "sha256:01"))
		p, err := tx.GetPromotion(id)
		must(t, err)
		want := samplePromotion("a", store.PromotionWaiting)
		want.ID, want.StoreVersion = id, 1
		equal(t, "promotion", p, want)
		return nil
	})
}

func scribbleVersion(v *store.Version) {
	v.Commits[0].ID = "scribbled"
	v.Commits[1].Time = time.Time{}
}

func scribblePromotion(p *store.Promotion) {
	p.Gates[0].State = store.GateFailed
	p.Gates[1].Reason = "scribbled"
}

// mentions fails the test unless err's message holds every one of words.
func mentions(t *testing.T, err error, words ...string) {
	t.Helper()
	for _, w := range words {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v does not mention %q", err, w)
		}
	}
}
