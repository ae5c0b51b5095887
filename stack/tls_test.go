package stack

import (
	"context"
	"reflect"
	"testing"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// TestPlanTLS: a plan compares the tls: section with the one last
// applied, and the hosts served over TLS with the services' target
// revisions.
func TestPlanTLS(t *testing.T) {
	const before = `app: shop
tls:
  acme: {email: ops@shop.example, directory: https://ca.example/dir}
services:
  web:
    run: [./web]
    route: {hosts: [shop.example, www.shop.example]}
`
	const after = `app: shop
tls:
  acme: {email: sre@shop.example, directory: https://ca.example/dir}
services:
  web:
    run: [./web]
    route: {hosts: [shop.example, api.shop.example]}
`
	s := store.NewMemory()
	ctx := context.Background()
	old := parse(t, before)
	err := s.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.CreateRevision(store.Revision{Service: "web", Spec: *old.Services["web"]}); err != nil {
			return err
		}
		if err := tx.PutService(store.Service{Name: "web", Revision: 1}); err != nil {
			return err
		}
		return tx.PutApp(store.App{Name: "shop", Spec: before, File: "slipway.yaml", AppliedAt: now})
	})
	if err != nil {
		t.Fatal(err)
	}
	var got spec.TLSChange
	err = s.View(ctx, func(tx store.Tx) error {
		got, err = PlanTLS(tx, parse(t, after))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := spec.TLSChange{
		Fields:  []spec.FieldChange{{Path: "tls.acme.email", Old: "ops@shop.example", New: "sre@shop.example"}},
		Added:   []spec.TLSHost{{Host: "api.shop.example", Service: "web", Certificate: spec.CertificateACME}},
		Removed: []spec.TLSHost{{Host: "www.shop.example", Service: "web", Certificate: spec.CertificateACME}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
}
