package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/store"
)

// Execer runs a command as one of an environment's instances runs (the
// workload driver), writing its output to out as it comes.
type Execer interface {
	ExecStream(ctx context.Context, id string, argv []string, out io.Writer) error
}

// maxExecTimeout bounds an exec however long its request asks.
const maxExecTimeout = 10 * time.Minute

// execInService runs a one-off command in an instance of a service and
// answers its output and exit code, recording who ran what and how it
// ended (never its output, which may hold secrets).
func (h *handler) execInService(w http.ResponseWriter, r *http.Request) {
	var req api.ExecRequest
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	timeout, err := execTimeout(req)
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	e, name := h.in(r), r.PathValue("name")
	if e.Exec == nil {
		writeError(w, h.cfg.Logger, store.Conflictf("environment %s runs no instances here: nothing to exec in", e.Name))
		return
	}
	in, err := h.execTarget(r.Context(), e, name, req.Instance)
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	if req.Stream {
		h.execStreaming(ctx, w, r, e, in, req.Command)
		return
	}
	out := &tailBuffer{max: api.MaxExecOutput}
	runErr := e.Exec.ExecStream(ctx, in.ID, req.Command, out)
	res := api.ExecResult{Instance: in.ID, ExitCode: exitCode(runErr), Output: string(out.b), Truncated: out.cut}
	if err := h.recordExec(r.Context(), e.Store, in, req.Command, res.ExitCode, runErr); err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// execStreaming answers an exec as NDJSON: each piece of output as the
// command writes it, flushed, then the result. The event is recorded
// before the last line, so a client that saw the result finds it.
func (h *handler) execStreaming(ctx context.Context, w http.ResponseWriter, r *http.Request, e *Env, in store.Instance, argv []string) {
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	cw := &chunkWriter{enc: json.NewEncoder(w), rc: http.NewResponseController(w)}
	cw.rc.Flush()
	runErr := e.Exec.ExecStream(ctx, in.ID, argv, cw)
	res := api.ExecResult{Instance: in.ID, ExitCode: exitCode(runErr)}
	if err := h.recordExec(r.Context(), e.Store, in, argv, res.ExitCode, runErr); err != nil {
		h.cfg.Logger.Error("record exec", "instance", in.ID, "err", err)
		res.ExitCode = -1
	}
	_ = cw.enc.Encode(api.ExecChunk{Result: &res})
}

// chunkWriter sends each write as one ExecChunk line, flushed at once.
// A write error (the client went away) is kept from the command, which
// runs on until it ends or its timeout.
type chunkWriter struct {
	enc *json.Encoder
	rc  *http.ResponseController
}

func (c *chunkWriter) Write(p []byte) (int, error) {
	if err := c.enc.Encode(api.ExecChunk{Output: string(p)}); err == nil {
		_ = c.rc.Flush()
	}
	return len(p), nil
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	b   []byte
	max int
	cut bool
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b, t.cut = append(t.b[:0], t.b[over:]...), true
	}
	return len(p), nil
}

func execTimeout(req api.ExecRequest) (time.Duration, error) {
	if len(req.Command) == 0 || req.Command[0] == "" {
		return 0, badRequest{"command: give the program and its arguments, like [\"sh\", \"-c\", \"ls\"]"}
	}
	if req.Timeout == "" {
		return time.Minute, nil
	}
	d, err := time.ParseDuration(req.Timeout)
	if err != nil || d <= 0 || d > maxExecTimeout {
		return 0, badRequest{fmt.Sprintf("timeout %q: want a duration from 1s to %s", req.Timeout, maxExecTimeout)}
	}
	return d, nil
}

// execTarget is the instance named, which must be the service's, or a
// ready instance of its current revision.
func (h *handler) execTarget(ctx context.Context, e *Env, name, id string) (store.Instance, error) {
	var pick store.Instance
	err := e.Store.View(ctx, func(tx store.Tx) error {
		svc, err := tx.GetService(name)
		if err != nil {
			return err
		}
		ins, err := tx.ListInstances(name)
		if err != nil {
			return err
		}
		for _, in := range ins {
			if (id != "" && in.ID == id) || (id == "" && in.Ready && in.Revision == svc.Revision) {
				pick = in
				return nil
			}
		}
		if id != "" {
			return store.NotFoundf("service %s has no instance %s (slipway status %s)", name, id, name)
		}
		return store.Conflictf("service %s has no ready instance of revision %d to exec in", name, svc.Revision)
	})
	return pick, err
}

// exitCode is the command's exit status: 0, its code, or -1 when it was
// killed, timed out or could not start.
func exitCode(err error) int {
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit) && exit.ExitCode() >= 0:
		return exit.ExitCode()
	}
	return -1
}

func (h *handler) recordExec(ctx context.Context, db store.Store, in store.Instance, argv []string, code int, runErr error) error {
	data, err := json.Marshal(store.ExecData{Command: argv, ExitCode: code})
	if err != nil {
		return err
	}
	how := fmt.Sprintf("exit code %d", code)
	if code == -1 && runErr != nil {
		how = runErr.Error()
	}
	return db.Update(ctx, func(tx store.Tx) error {
		_, err := tx.AppendEvent(store.Event{Time: h.cfg.Clock.Now(), Type: store.EventInstanceExec, Service: in.Service, Revision: in.Revision,
			Instance: in.ID, Data: data, Message: fmt.Sprintf("exec in %s: %s (%s)", in.ID, strings.Join(argv, " "), how)})
		return err
	})
}
