package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/store"
)

// fakeSnapshot streams its text, or fails after half of it.
type fakeSnapshot struct {
	text   string
	fail   bool
	closed bool
}

func (f *fakeSnapshot) Stream(w io.Writer) error {
	if f.fail {
		io.WriteString(w, f.text[:len(f.text)/2])
		return errors.New("disk read error")
	}
	_, err := io.WriteString(w, f.text)
	return err
}

func (f *fakeSnapshot) Close() error { f.closed = true; return nil }

func TestBackupEndpoint(t *testing.T) {
	for _, tc := range []struct {
		name     string
		snap     *fakeSnapshot
		takeErr  error
		status   int
		truncate bool
	}{
		{"streamed", &fakeSnapshot{text: strings.Repeat("tar", 1000)}, nil, http.StatusOK, false},
		{"disk full", nil, fmt.Errorf("backup environment default: %w", store.ErrNoSpace), http.StatusInsufficientStorage, false},
		{"failed mid-stream", &fakeSnapshot{text: strings.Repeat("tar", 100000), fail: true}, nil, http.StatusOK, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := New(Config{Store: store.NewMemory(), Backup: func(context.Context) (Snapshot, error) {
				if tc.takeErr != nil {
					return nil, tc.takeErr
				}
				return tc.snap, nil
			}})
			srv := httptest.NewServer(h)
			defer srv.Close()
			req, _ := http.NewRequest("POST", srv.URL+"/v1/backup", strings.NewReader("{}"))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, readErr := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d %s; want %d", resp.StatusCode, body, tc.status)
			}
			if tc.truncate != (readErr != nil) {
				t.Errorf("reading the answer: %v; want an error: %t", readErr, tc.truncate)
			}
			if tc.snap != nil && !tc.snap.closed {
				t.Error("the snapshot was not closed")
			}
			if tc.status == http.StatusOK && !tc.truncate && string(body) != tc.snap.text {
				t.Errorf("body of %d bytes; want the snapshot's %d", len(body), len(tc.snap.text))
			}
		})
	}
}
