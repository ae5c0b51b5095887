package sqlite

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/slipway-dev/slipway/store"
)

// BenchmarkUpdateService measures the read-modify-write every controller
// pass makes: read a service and write it back in one transaction (with
// store versions, the write is an UPDATE ... WHERE version = ?).
func BenchmarkUpdateService(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "slipway.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.PutService(store.Service{Name: "order", Revision: 1}) }); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		err := s.Update(ctx, func(tx store.Tx) error {
			svc, err := tx.GetService("order")
			if err != nil {
				return err
			}
			svc.Message = strconv.Itoa(i)
			return tx.PutService(svc)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
