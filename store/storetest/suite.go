package storetest

import (
	"context"
	"testing"

	"github.com/slipway-dev/slipway/store"
)

// Run runs the conformance suite. open returns a fresh, empty store for
// one subtest and arranges for it to be closed (t.Cleanup).
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	cases := []struct {
		name string
		test func(t *testing.T, s store.Store)
	}{
		{"NotFound", testNotFound},
		{"App", testApp},
		{"Services", testServices},
		{"DeleteServiceKeepsRevisions", testDeleteServiceKeepsRevisions},
		{"RevisionNumbering", testRevisionNumbering},
		{"RevisionImmutable", testRevisionImmutable},
		{"Instances", testInstances},
		{"OperationIDs", testOperationIDs},
		{"ListOperations", testListOperations},
		{"AppendEvent", testAppendEvent},
		{"ListEvents", testListEvents},
		{"ListEventsOfType", testListEventsOfType},
		{"ListEventsBefore", testListEventsBefore},
		{"FlagConfigs", testFlagConfigs},
		{"FlagUsage", testFlagUsage},
		{"Versions", testVersions},
		{"VersionConflicts", testVersionConflicts},
		{"Promotions", testPromotions},
		{"ListPromotions", testListPromotions},
		{"Environments", testEnvironments},
		{"EnvironmentVersions", testEnvironmentVersions},
		{"Tokens", testTokens},
		{"Secrets", testSecrets},
		{"EventActor", testEventActor},
		{"PipelineRollback", testPipelineRollback},
		{"PipelineViewRejectsWrites", testPipelineViewRejectsWrites},
		{"PipelineCopies", testPipelineCopies},
		{"Rollback", testRollback},
		{"ReturnsCopies", testReturnsCopies},
		{"StoresCopies", testStoresCopies},
		{"ViewRejectsWrites", testViewRejectsWrites},
		{"ViewSnapshot", testViewSnapshot},
		{"ConcurrentUpdates", testConcurrentUpdates},
		{"CanceledContext", testCanceledContext},
		{"StaleWrites", testStaleWrites},
		{"StaleFlagConfig", testStaleFlagConfig},
		{"ConfigVersions", testConfigVersions},
		{"ConfigDeliveries", testConfigDeliveries},
		{"SinkCursors", testSinkCursors},
		{"LinkUses", testLinkUses},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.test(t, open(t))
		})
	}
}

// update runs fn in an Update and fails the test on error.
func update(t *testing.T, s store.Store, fn func(tx store.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatalf("update: %v", err)
	}
}

// view runs fn in a View and fails the test on error.
func view(t *testing.T, s store.Store, fn func(tx store.Tx) error) {
	t.Helper()
	if err := s.View(context.Background(), fn); err != nil {
		t.Fatalf("view: %v", err)
	}
}

// must fails the test when err is not nil.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
