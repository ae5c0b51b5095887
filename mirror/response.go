package mirror

import (
	"fmt"
	"net/http"
)

// Response is one answer to a request, as captured by the router.
type Response struct {
	// Status is the HTTP status code; 0 means there was no answer (a
	// connection error, a timeout), and Error says why.
	Status int
	// Header is the response's header.
	Header http.Header
	// Body is the response body, up to the router's capture limit.
	Body []byte
	// Truncated is set when Body holds only the start of the body.
	Truncated bool
	// Error says why there was no answer, when Status is 0.
	Error string
}

// Answered reports whether the response came from the instance: a
// failed request has no status.
func (r Response) Answered() bool { return r.Status != 0 }

// Exchange is one mirrored request and its three answers.
type Exchange struct {
	// Method and Path are the request's; Path leaves out the query,
	// which may carry secrets, since samples keep it.
	Method, Path string
	// Primary is the answer the user got, from a stable instance.
	Primary Response
	// Secondary is a second stable instance's answer to a copy: how
	// stable differs from itself (the noise).
	Secondary Response
	// Candidate is the candidate revision's answer to a copy.
	Candidate Response
}

// Options say what Diff compares. The zero value compares the status and
// the body.
type Options struct {
	// Headers are the response headers compared, by name (any case); "*"
	// compares every header but the hop-by-hop ones.
	Headers []string
	// IgnoreHeaders are never compared, even under "*" (Date, Server).
	IgnoreHeaders []string
	// IgnoreJSONPaths are JSON fields left out of the comparison, with
	// everything below them ($.requestId, $.items[*].id).
	IgnoreJSONPaths []string
}

// Check returns why the options are unusable (an ignored path Diff
// cannot read), or nil.
func (o Options) Check() error {
	for _, p := range o.IgnoreJSONPaths {
		if err := CheckPath(p); err != nil {
			return fmt.Errorf("ignore JSON path %q: %w", p, err)
		}
	}
	return nil
}
