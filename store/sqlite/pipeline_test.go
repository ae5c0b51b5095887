package sqlite

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestPipelineQueryPlans logs EXPLAIN QUERY PLAN for the version and
// promotion lists and checks that each reads the index meant for it in
// the order it returns (no sort).
func TestPipelineQueryPlans(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "slipway.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, q := range []struct {
		query, index string
		args         []any
	}{
		{versionsAll, "", nil},
		{versionsOfService, "versions_service_seq", []any{"a"}},
		{versionOfDigest, "versions_service_digest", []any{"a", "sha256:00"}},
		{promotionsQuery(false, false), "", []any{-1}},
		{promotionsQuery(true, false), "promotions_service", []any{"a", -1}},
		{promotionsQuery(false, true), "promotions_active", []any{-1}},
		{promotionsQuery(true, true), "promotions_service_active", []any{"a", -1}},
	} {
		plan := explain(t, s, q.query, q.args...)
		t.Logf("EXPLAIN QUERY PLAN %s\n%s", q.query, plan)
		if !strings.Contains(plan, q.index) || strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("plan does not read %s in order:\n%s", q.index, plan)
		}
	}
}
