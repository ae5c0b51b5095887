package mirror

import "sync"

// Book keeps one Tally per parallel run: per service and candidate
// revision. The router reports every mirrored request to it (Compared,
// Dropped: the router's MirrorObserver); the rollout controller opens a
// run's Tally when mirroring starts, reads its Report, and closes it when
// the run ends. Requests for a run that is not open are not counted. It
// is safe for concurrent use.
type Book struct {
	mu      sync.Mutex // guards tallies
	tallies map[runKey]*Tally
}

type runKey struct {
	service  string
	revision int
}

// NewBook returns an empty Book.
func NewBook() *Book { return &Book{tallies: map[runKey]*Tally{}} }

// Open starts counting a run afresh with o, replacing any earlier Tally
// of the same run.
func (b *Book) Open(service string, revision int, o Options) error {
	t, err := NewTally(o)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tallies[runKey{service, revision}] = t
	return nil
}

// Close stops counting a run and forgets it.
func (b *Book) Close(service string, revision int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.tallies, runKey{service, revision})
}

// Report returns a run's counts so far; ok is false when the run is not
// open (never opened, closed, or lost with a restart of the server).
func (b *Book) Report(service string, revision int) (r Report, ok bool) {
	t := b.tally(service, revision)
	if t == nil {
		return Report{}, false
	}
	return t.Report(), true
}

// Compared counts one mirrored request of an open run.
func (b *Book) Compared(service string, revision int, x Exchange) {
	if t := b.tally(service, revision); t != nil {
		t.Record(x)
	}
}

// Dropped counts a request of an open run that was not mirrored.
func (b *Book) Dropped(service string, revision int) {
	if t := b.tally(service, revision); t != nil {
		t.Drop()
	}
}

func (b *Book) tally(service string, revision int) *Tally {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.tallies[runKey{service, revision}]
}
