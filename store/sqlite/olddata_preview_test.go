package sqlite

import "testing"

// TestOldTrafficWithoutPreviewSecret reads a service document written
// before blue/green previews had a secret: it reads with no secret (the
// router then keeps the preview unreachable until the next rollout
// draws one) and is written back unchanged.
func TestOldTrafficWithoutPreviewSecret(t *testing.T) {
	old := `{"name":"order","revision":2,"stable":1,"phase":"Progressing","deadline":"0001-01-01T00:00:00Z","traffic":{"active":1,"preview":2,"previewHeader":"X-Slipway-Preview"},"keep":1,"keepUntil":"0001-01-01T00:00:00Z","updatedAt":"2026-11-02T10:00:00Z"}`
	svc, err := serviceCodec.decode([]byte(old), nil)
	if err != nil {
		t.Fatal(err)
	}
	if tr := svc.Traffic; tr.Active != 1 || tr.Preview != 2 || tr.PreviewHeader != "X-Slipway-Preview" || tr.PreviewSecret != "" {
		t.Fatalf("traffic %+v", tr)
	}
	again, err := serviceCodec.encode(svc)
	if err != nil {
		t.Fatal(err)
	}
	if again != old {
		t.Fatalf("written back differently\n old: %s\n now: %s", old, again)
	}
}
