package store_test

import (
	"testing"

	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/store/storetest"
)

func TestMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		m := store.NewMemory()
		t.Cleanup(func() { m.Close() })
		return m
	})
}
