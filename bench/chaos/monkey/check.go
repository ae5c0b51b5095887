package monkey

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/backup"
	"github.com/slipway-dev/slipway/client"
)

// orphanWait is how long a process no record accounts for may live: the
// server's sweep, every ten seconds, ends it.
const orphanWait = 13 * time.Second

// checkAll checks the invariants over a server whose rollouts are over:
// instances and processes (checkProcs, retried until orphanWait passes,
// since the sweep is how a crash's leftovers end), then every database
// (checkStores). It returns one line per violation.
func checkAll(ctx context.Context, s *server) []string {
	var v []string
	deadline := time.Now().Add(orphanWait)
	for {
		var err error
		v, err = checkProcs(ctx, s)
		if err != nil {
			v = []string{"read services: " + err.Error()}
		}
		if len(v) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	return append(v, checkStores(ctx, s.data)...)
}

// checkProcs compares the instance records with the live processes: no
// two processes for one instance, no process no record accounts for
// (orphan), no record whose process is dead, no more records than the
// service wants (two records for one slot).
func checkProcs(ctx context.Context, s *server) ([]string, error) {
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	svcs, err := allServices(cctx, s)
	if err != nil {
		return nil, err
	}
	records := map[string]int{} // instance ID -> recorded PID
	var v []string
	for _, svc := range svcs {
		if n := len(svc.Instances); n > svc.Desired {
			v = append(v, fmt.Sprintf("service %s: %d instance records for %d slots: %s", svc.Name, n, svc.Desired, ids(svc.Instances)))
		}
		for _, in := range svc.Instances {
			records[in.ID] = in.PID
			if !alive(in.PID) {
				v = append(v, fmt.Sprintf("instance %s: recorded with pid %d, which is not running", in.ID, in.PID))
			}
		}
	}
	seen := map[string]int{}
	for _, p := range instanceProcs(s.data) {
		if other, dup := seen[p.id]; dup {
			v = append(v, fmt.Sprintf("instance %s: two live processes (pids %d and %d)", p.id, other, p.pid))
		}
		seen[p.id] = p.pid
		if pid, ok := records[p.id]; !ok || pid != p.pid {
			v = append(v, fmt.Sprintf("orphan: pid %d of instance %s, which no record accounts for (record pid %d)", p.pid, p.id, pid))
		}
	}
	return v, nil
}

// allServices lists the services of every environment the server hosts.
func allServices(ctx context.Context, s *server) ([]api.Service, error) {
	envs, err := s.client.Environments(ctx)
	if err != nil {
		return nil, err
	}
	var out []api.Service
	for _, e := range envs {
		svcs, err := client.New("http://"+s.api, client.WithEnv(e.Name), client.WithToken(s.token)).Services(ctx)
		if err != nil {
			return nil, fmt.Errorf("environment %s: %w", e.Name, err)
		}
		out = append(out, svcs...)
	}
	return out, nil
}

// ids lists instances as "ID(rev N)".
func ids(ins []api.Instance) string {
	out := make([]string, len(ins))
	for i, in := range ins {
		out[i] = fmt.Sprintf("%s(rev %d %s)", in.ID, in.Revision, in.State)
	}
	return strings.Join(out, " ")
}

// checkStores runs backup.Check (integrity_check, foreign_key_check,
// store.Check's invariants) over every environment's database in data.
func checkStores(ctx context.Context, data string) []string {
	dbs, _ := filepath.Glob(filepath.Join(data, "envs", "*", "slipway.db"))
	dbs = slices.Insert(dbs, 0, filepath.Join(data, "slipway.db"))
	var v []string
	for _, db := range dbs {
		if err := backup.Check(ctx, db); err != nil {
			v = append(v, "store: "+err.Error())
		}
	}
	return v
}
