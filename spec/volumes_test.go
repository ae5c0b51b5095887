package spec

import (
	"strings"
	"testing"
)

func TestVolumeInsideTheDataFolderRefused(t *testing.T) {
	src := web + "volumes:\n  up: {path: /srv/slipway/data/up}\n"
	_, err := ParseWith("slipway.yaml", []byte(src), Options{DataDir: "/srv/slipway/data"})
	if err == nil || !strings.Contains(err.Error(), "slipway.yaml:6: volumes.up.path: /srv/slipway/data/up overlaps the server's data folder") {
		t.Fatalf("a volume inside the data folder: %v", err)
	}
	if _, err := ParseWith("slipway.yaml", []byte(src), Options{}); err != nil {
		t.Fatalf("without a data folder to check against: %v", err)
	}
}

func TestMountsNameTheirVolumesFolder(t *testing.T) {
	src := web + "    mounts: [{volume: up, at: ./up}]\nvolumes:\n  up: {path: /srv/shop/up/}\n"
	app, err := Parse("slipway.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if m := app.Services["web"].Mounts[0]; m.Path != "/srv/shop/up" {
		t.Errorf("mount %+v: want the volume's folder, cleaned", m)
	}
}
