package process

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/slipway-dev/slipway/artifact"
	"github.com/slipway-dev/slipway/workload"
)

// BenchmarkStartArtifact times Start with a 16 MiB artifact (about a Go
// service's binary): linked from the verified cache (an instance with a
// user of its own) against copied and hashed (an instance run as root,
// which always gets a copy). Stop is not timed.
func BenchmarkStartArtifact(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("the cache is used only by a root server")
	}
	data := b.TempDir()
	src := filepath.Join(data, "object")
	if err := os.WriteFile(src, make([]byte, 16<<20), 0o555); err != nil {
		b.Fatal(err)
	}
	digest, err := artifact.FileDigest(src)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, user string }{{"link", ""}, {"copy", "root"}} {
		b.Run(c.name, func(b *testing.B) {
			d := New(filepath.Join(data, c.name), Options{Logger: quiet})
			for i := 0; i < b.N; i++ {
				s := workload.InstanceSpec{
					ID: fmt.Sprintf("%s-%d", c.name, i), Service: "bench", User: c.user,
					Command: []string{"sleep", "60"}, Env: map[string]string{"PATH": "/usr/bin:/bin"},
					Artifact: src, ArtifactPath: "app", ArtifactDigest: digest,
				}
				if _, err := d.Start(context.Background(), s); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if err := d.Stop(context.Background(), s.ID, 0); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}
