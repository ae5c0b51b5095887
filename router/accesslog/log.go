package accesslog

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/slipway-dev/slipway/router"
)

// Entry is one request's line.
type Entry struct {
	Time       time.Time `json:"time"`
	Host       string    `json:"host"`
	Method     string    `json:"method"`
	Path       string    `json:"path"`
	Proto      string    `json:"proto"`
	Status     int       `json:"status"`
	DurationMS float64   `json:"durationMs"`
	Bytes      int64     `json:"bytes"`
	Revision   int       `json:"revision,omitempty"`
	Instance   string    `json:"instance,omitempty"`
	TraceID    string    `json:"traceId"`
}

// Config says where a Log writes.
type Config struct {
	// File is the log file; its rotated predecessors are File.1 (the
	// latest) to File.Keep.
	File string
	// MaxBytes rotates the file once it grows past it (default 64 MiB).
	MaxBytes int64
	// Keep is how many rotated files are kept (default 3).
	Keep int
	// Buffer is how many lines may wait for the writer (default 4096);
	// past it lines are dropped and counted.
	Buffer int
}

// Log is an access log. Create it with New, run its writer with Run,
// wrap handlers with Handler.
type Log struct {
	cfg     Config
	lines   chan Entry
	dropped atomic.Int64
	written atomic.Int64
}

// New returns a Log; it opens nothing until Run.
func New(cfg Config) *Log {
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = 64 << 20
	}
	if cfg.Keep <= 0 {
		cfg.Keep = 3
	}
	if cfg.Buffer <= 0 {
		cfg.Buffer = 4096
	}
	return &Log{cfg: cfg, lines: make(chan Entry, cfg.Buffer)}
}

// Dropped is how many lines were dropped because the writer was behind.
func (l *Log) Dropped() int64 { return l.dropped.Load() }

// Written is how many lines were written.
func (l *Log) Written() int64 { return l.written.Load() }

// Run writes lines until ctx ends, then writes those waiting and
// returns.
func (l *Log) Run(ctx context.Context) error {
	if err := os.MkdirAll(filepath.Dir(l.cfg.File), 0o700); err != nil {
		return fmt.Errorf("access log: %w", err)
	}
	f, size, err := l.open()
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 64<<10)
	enc := json.NewEncoder(w)
	defer func() {
		_ = w.Flush()
		_ = f.Close()
	}()
	flush := time.NewTicker(time.Second)
	defer flush.Stop()
	for {
		var e Entry
		select {
		case e = <-l.lines:
		case <-flush.C:
			_ = w.Flush()
			continue
		case <-ctx.Done():
			for {
				select {
				case e = <-l.lines:
					_ = enc.Encode(e)
				default:
					return nil
				}
			}
		}
		before := w.Buffered()
		if err := enc.Encode(e); err != nil {
			return fmt.Errorf("access log: %w", err)
		}
		l.written.Add(1)
		size += int64(w.Buffered() - before)
		if size >= l.cfg.MaxBytes {
			if err := w.Flush(); err != nil {
				return fmt.Errorf("access log: %w", err)
			}
			_ = f.Close()
			if f, size, err = l.rotate(); err != nil {
				return err
			}
			w.Reset(f)
		}
	}
}

func (l *Log) open() (*os.File, int64, error) {
	f, err := os.OpenFile(l.cfg.File, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, 0, fmt.Errorf("access log: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("access log: %w", err)
	}
	return f, fi.Size(), nil
}

// rotate shifts File.N to File.N+1 (the oldest dropped), File to
// File.1, and opens a new File.
func (l *Log) rotate() (*os.File, int64, error) {
	name := func(i int) string { return l.cfg.File + "." + strconv.Itoa(i) }
	_ = os.Remove(name(l.cfg.Keep))
	for i := l.cfg.Keep - 1; i >= 1; i-- {
		_ = os.Rename(name(i), name(i+1))
	}
	if err := os.Rename(l.cfg.File, name(1)); err != nil {
		return nil, 0, fmt.Errorf("access log: rotate: %w", err)
	}
	return l.open()
}

// Handler wraps next (the router): each request gets a traceparent
// (kept when valid) and, once answered, a line.
func (l *Log) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w}
		trace := traceparent(req)
		req = req.WithContext(router.WithBackendRecorder(req.Context(), rec))
		next.ServeHTTP(rec, req)
		e := Entry{Time: start, Host: req.Host, Method: req.Method, Path: req.URL.Path, Proto: req.Proto,
			Status: rec.status, DurationMS: float64(time.Since(start).Microseconds()) / 1000, Bytes: rec.bytes,
			Revision: rec.revision, Instance: rec.instance, TraceID: trace}
		if e.Status == 0 {
			e.Status = http.StatusOK
		}
		select {
		case l.lines <- e:
		default:
			l.dropped.Add(1)
		}
	})
}

// recorder counts what the handler writes, and learns who answered.
type recorder struct {
	http.ResponseWriter
	status   int
	bytes    int64
	revision int
	instance string
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 && code >= 200 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// RecordBackend implements router.BackendRecorder.
func (r *recorder) RecordBackend(revision int, instance string) {
	r.revision, r.instance = revision, instance
}

// Unwrap lets http.ResponseController reach the client's writer
// (flushes, deadlines, hijacking an upgrade).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Flush passes a flush on (streams).
func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
