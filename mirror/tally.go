package mirror

import (
	"slices"
	"strings"
	"sync"
)

// Limits that keep a Tally's memory bounded however varied the traffic.
const (
	// MaxRoutes is how many routes are counted apart; requests to
	// further routes are counted under OtherRoutes.
	MaxRoutes = 256
	// MaxFields is how many fields of a route are counted apart;
	// further ones are counted under OtherFields.
	MaxFields = 128
	// MaxSamples is how many samples are kept per route and field.
	MaxSamples = 5
	// maxSets is how many distinct sets of differing fields a route
	// remembers (routeTally.sets).
	maxSets = 256
	// maxSamplePath bounds a sample's request path, in bytes.
	maxSamplePath = 200
)

// Names of the overflow buckets.
const (
	OtherRoutes = "(other routes)"
	OtherFields = "(other fields)"
)

// Tally counts mirrored requests and how their answers differ, per route
// and field, and keeps a few samples. It is safe for concurrent use and
// its memory is bounded (MaxRoutes, MaxFields, MaxSamples).
type Tally struct {
	opts *compiled

	mu      sync.Mutex // guards dropped and routes
	dropped int
	routes  map[string]*routeTally
}

// routeTally is one route's counts.
type routeTally struct {
	compared     int // requests compared
	noiseSamples int // of which the secondary answered
	fields       map[string]*fieldTally
	// sets counts requests by the sorted set of fields in which the
	// candidate differed (joined by newlines), so that Report can say
	// how many requests differ in a field that is not noise, once it
	// knows which fields are. Past maxSets distinct sets, a request is
	// judged as it is recorded, with the rates known then (overflow).
	sets     map[string]int
	overflow int // requests judged mismatched when recorded
}

// fieldTally is one field's counts on one route.
type fieldTally struct {
	diffs   int // requests where the candidate differs from the primary
	noise   int // requests where the secondary differs from the primary
	samples []Sample
}

// NewTally returns an empty Tally that compares answers with o.
func NewTally(o Options) (*Tally, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	return &Tally{opts: compile(o), routes: map[string]*routeTally{}}, nil
}

// Record compares one mirrored request's answers and counts them. A
// secondary with no answer says nothing of the noise: the request then
// counts for the candidate only.
func (t *Tally) Record(x Exchange) {
	pp := &body{r: x.Primary}
	cand := t.opts.diff(x.Primary, x.Candidate, pp, &body{r: x.Candidate})
	var noise []Difference
	if x.Secondary.Answered() {
		noise = t.opts.diff(x.Primary, x.Secondary, pp, &body{r: x.Secondary})
	}
	key := RouteKey(x.Method, x.Path)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.route(key).record(x, cand, noise, x.Secondary.Answered())
}

// Drop counts a request that was chosen for mirroring but not compared
// (the router had too many copies in flight).
func (t *Tally) Drop() {
	t.mu.Lock()
	t.dropped++
	t.mu.Unlock()
}

// route returns the counts of a route, or of OtherRoutes when there are
// too many. t.mu is held.
func (t *Tally) route(key string) *routeTally {
	if r := t.routes[key]; r != nil {
		return r
	}
	if len(t.routes) >= MaxRoutes {
		key = OtherRoutes
		if r := t.routes[key]; r != nil {
			return r
		}
	}
	r := &routeTally{fields: map[string]*fieldTally{}, sets: map[string]int{}}
	t.routes[key] = r
	return r
}

// record counts one request: each field at most once per side, however
// many of its elements differ.
func (r *routeTally) record(x Exchange, cand, noise []Difference, noiseSampled bool) {
	r.compared++
	if noiseSampled {
		r.noiseSamples++
	}
	seen := map[*fieldTally]bool{}
	for _, d := range noise {
		if f, _ := r.field(Pattern(d.Field)); !seen[f] {
			seen[f] = true
			f.noise++
		}
	}
	clear(seen)
	var names []string
	for _, d := range cand {
		f, name := r.field(Pattern(d.Field))
		if seen[f] {
			continue
		}
		seen[f] = true
		f.diffs++
		names = append(names, name)
		if len(f.samples) < MaxSamples {
			f.samples = append(f.samples, newSample(x, d))
		}
	}
	r.countSet(names)
}

// field returns a field's counts and name, or OtherFields' when the
// route has too many.
func (r *routeTally) field(name string) (*fieldTally, string) {
	if f := r.fields[name]; f != nil {
		return f, name
	}
	if len(r.fields) >= MaxFields {
		name = OtherFields
		if f := r.fields[name]; f != nil {
			return f, name
		}
	}
	f := &fieldTally{}
	r.fields[name] = f
	return f, name
}

// countSet counts a request by the fields it differs in.
func (r *routeTally) countSet(names []string) {
	if len(names) == 0 {
		return
	}
	slices.Sort(names)
	key := strings.Join(names, "\n")
	if _, ok := r.sets[key]; ok || len(r.sets) < maxSets {
		r.sets[key]++
		return
	}
	for _, n := range names {
		if r.mismatch(n) {
			r.overflow++
			return
		}
	}
}

// Sample is one request in which a field differed.
type Sample struct {
	Method string `json:"method"`
	// Path is the request's path, without its query.
	Path string `json:"path"`
	// Field is the field as it differed ($.items[2].price, where the
	// report's field is $.items[*].price).
	Field     string `json:"field"`
	Primary   string `json:"primary"`
	Candidate string `json:"candidate"`
}

func newSample(x Exchange, d Difference) Sample {
	return Sample{Method: x.Method, Path: short(x.Path[:min(len(x.Path), maxSamplePath)]),
		Field: d.Field, Primary: d.Primary, Candidate: d.Candidate}
}
