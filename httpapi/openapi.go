package httpapi

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// operation documents one route of the API for its OpenAPI description.
// In and Out are zero values of the api types the route reads and
// writes (nil: no JSON body); a slice value documents an array.
type operation struct {
	Pattern string // as registered: "GET /v1/services/{name}"
	Summary string
	In, Out any
	// Status is the success status (200 unless set); Media the response's
	// media type when it is not JSON.
	Status int
	Media  string
}

// operations is the API's description, one row per registered route; a
// test walks the registered routes and fails when this table and they
// disagree.
var operations = []operation{
	{Pattern: "GET /v1/health", Summary: "Liveness and version (no credentials)", Out: api.Health{}},
	{Pattern: "POST /v1/validate", Summary: "Validate a spec; problems as 422 with file:line", In: api.ApplyRequest{}, Out: api.Plan{}},
	{Pattern: "POST /v1/plan", Summary: "What an apply would change", In: api.ApplyRequest{}, Out: api.Plan{}},
	{Pattern: "POST /v1/apply", Summary: "Converge the app to a spec", In: api.ApplyRequest{}, Out: api.ApplyResponse{}},
	{Pattern: "GET /v1/operations", Summary: "Operations (?active=true: unfinished ones)", Out: []api.Operation{}},
	{Pattern: "GET /v1/operations/{id}", Summary: "One operation", Out: api.Operation{}},
	{Pattern: "GET /v1/services", Summary: "Every service with its rollout and instances", Out: []api.Service{}},
	{Pattern: "GET /v1/services/{name}", Summary: "One service", Out: api.Service{}},
	{Pattern: "GET /v1/services/{name}/revisions", Summary: "Every revision of a service", Out: []api.Revision{}},
	{Pattern: "POST /v1/services/{name}/rollback", Summary: "Make an earlier revision the target", In: api.RollbackRequest{}, Out: api.Operation{}, Status: http.StatusCreated},
	{Pattern: "POST /v1/services/{name}/promote", Summary: "End the current canary step (older form of rollout/promote)", In: api.RolloutRequest{}, Out: api.Service{}},
	{Pattern: "GET /v1/services/{name}/jobs", Summary: "The service's job runs (before rollout, after ready, by hand) with their output", Out: api.JobList{}},
	{Pattern: "POST /v1/services/{name}/jobs/{job}/run", Summary: "Run a job by hand, in its revision's environment (stable by default)", In: api.JobRunRequest{}, Out: api.JobRun{}, Status: http.StatusAccepted},
	{Pattern: "GET /v1/volumes", Summary: "The app's volumes: path, size, the services that mount them", Out: []api.Volume{}},
	{Pattern: "DELETE /v1/volumes/{name}", Summary: "Remove a volume's folder and files; refused while a revision mounts it", Out: api.Volume{}},
	{Pattern: "POST /v1/services/{name}/rollout/{verb}", Summary: "promote, pause, resume, abort, retry or set-weight; IfRevision/IfStep make a stale view a 409", In: api.RolloutRequest{}, Out: api.Service{}},
	{Pattern: "GET /v1/services/{name}/logs", Summary: "Instance logs (?lines=N&follow=true)", Media: "text/plain"},
	{Pattern: "GET /v1/kube/manifests", Summary: "The YAML Slipway applies to a Kubernetes environment's cluster, for review (secrets only by reference); ?install=true&namespace=NS&image=REF: what runs the server inside that cluster, with its Role", Media: "application/yaml"},
	{Pattern: "GET /v1/services/{name}/history", Summary: "A service's traffic as recorded every few seconds: canary weight, per-revision rate, success rate, p50/p99 (?since=RFC3339)", Out: api.History{}},
	{Pattern: "GET /v1/history", Summary: "The environment's whole router as recorded every few seconds: error rate and latency (?since=RFC3339)", Out: api.History{}},
	{Pattern: "GET /v1/events", Summary: "The event log, oldest first (?after=SEQ&service=S&limit=N; follow=true: text/event-stream), or newest first (?order=newest&before=SEQ&service=S&limit=N)", Out: []api.Event{}},
	{Pattern: "GET /v1/certificates", Summary: "The TLS router's certificates from ACME: each host's last state, failures first", Out: []api.Certificate{}},
	{Pattern: "GET /v1/dora", Summary: "The four DORA metrics (?window=90d)", Out: api.DORA{}},
	{Pattern: "GET /v1/dora/trend", Summary: "The four DORA metrics week by week, each rated (?weeks=12, at most 104; service=S)", Out: api.DORATrend{}},
	{Pattern: "GET /v1/incidents", Summary: "Incidents", Out: []api.Incident{}},
	{Pattern: "POST /v1/incidents", Summary: "Open an incident", In: api.IncidentRequest{}, Out: api.Incident{}, Status: http.StatusCreated},
	{Pattern: "POST /v1/incidents/{id}/resolve", Summary: "Resolve an incident", Out: api.Incident{}},
	{Pattern: "GET /v1/flags", Summary: "Feature flags as served", Out: []api.Flag{}},
	{Pattern: "GET /v1/flags/{key}", Summary: "One flag", Out: api.Flag{}},
	{Pattern: "POST /v1/flags/{key}/{verb}", Summary: "kill, enable, rollout or eval a flag", In: api.FlagRequest{}, Out: api.Flag{}},
	{Pattern: "GET /v1/configs", Summary: "Dynamic configurations: latest version and delivery", Out: []api.Config{}},
	{Pattern: "GET /v1/configs/{name}", Summary: "One config (?version=N); its delivery: which instance has which version", Out: api.Config{}},
	{Pattern: "GET /v1/configs/{name}/versions", Summary: "Every version of a config, newest first", Out: []api.ConfigVersion{}},
	{Pattern: "POST /v1/configs/{name}/versions", Summary: "A new version: set key=value, push a document, or roll back; checked before it is stored", In: api.ConfigRequest{}, Out: api.Config{}, Status: http.StatusCreated},
	{Pattern: "GET /v1/configs/{name}/diff", Summary: "What changed between two versions (?from=N&to=M)", Out: api.ConfigDiff{}},
	{Pattern: "GET /v1/configs/{name}/values", Summary: "The values an instance reads (?instance=ID: its version during a delivery), as its file holds them; ETag is the version, If-None-Match answers 304", Out: map[string]any{}},
	{Pattern: "GET /v1/configs/{name}/stream", Summary: "The config's changes as they happen (?instance=ID), text/event-stream: one config event now and at each new version", Out: api.ConfigUpdate{}, Media: "text/event-stream"},
	{Pattern: "POST /v1/configs/{name}/stop", Summary: "Stop the delivery in flight: every instance goes back to the previous version", In: api.ConfigRequest{}, Out: api.Config{}},
	{Pattern: "HEAD /v1/artifacts/{digest}", Summary: "Whether the server has an artifact"},
	{Pattern: "PUT /v1/artifacts/{digest}", Summary: "Upload an artifact's bytes (checked against the digest)", Status: http.StatusCreated},
	{Pattern: "PUT /v1/images", Summary: "Upload an OCI image (a docker-save tarball or an OCI layout as a tar; ?name=REPO)", Out: api.Image{}, Status: http.StatusCreated},
	{Pattern: "GET /v1/environments", Summary: "The environments the server hosts", Out: []api.Environment{}},
	{Pattern: "POST /v1/backup", Summary: "A consistent backup of the server's data", Media: "application/octet-stream"},
	{Pattern: "POST /v1/versions", Summary: "Push a version of a service (after its artifact), or of an image (pulled, or uploaded first)", In: api.Version{}, Out: api.Version{}, Status: http.StatusCreated},
	{Pattern: "GET /v1/versions", Summary: "Pushed versions (?service=S)", Out: []api.Version{}},
	{Pattern: "POST /v1/services/{name}/deploy", Summary: "Deploy a version into an environment (?env=)", In: api.DeployRequest{}, Out: api.Promotion{}},
	{Pattern: "POST /v1/services/{name}/promote-env", Summary: "Promote a version from one environment to the next, through its gates", In: api.PromoteRequest{}, Out: api.Promotion{}},
	{Pattern: "POST /v1/services/{name}/approve", Summary: "Approve (or reject) a promotion waiting at an approval gate", In: api.ApproveRequest{}, Out: api.Promotion{}},
	{Pattern: "POST /v1/services/{name}/promotion/cancel", Summary: "Cancel a promotion", In: api.ApproveRequest{}, Out: api.Promotion{}},
	{Pattern: "GET /v1/pipeline/{name}", Summary: "A service's path through the environments", Out: api.Pipeline{}},
	{Pattern: "GET /v1/notifications", Summary: "Each notification destination's delivery: cursor, lag, last success, last error (no secret)", Out: []api.NotificationStatus{}},
	{Pattern: "GET /v1/links/approval/{token}", Summary: "An approval link's confirmation page (no credentials: the link is signed; changes nothing)", Media: "text/html"},
	{Pattern: "POST /v1/links/approval/{token}", Summary: "Use an approval link once: approve or reject its promotion as its approver", Media: "text/html"},
	{Pattern: "POST /v1/down", Summary: "Take an environment down (?env=)", In: api.DownRequest{}, Out: api.Environment{}, Status: http.StatusAccepted},
	{Pattern: "POST /v1/services/{name}/restart", Summary: "Rolling restart of the current revision (no new revision)", Out: api.Service{}},
	{Pattern: "POST /v1/services/{name}/scale", Summary: "Set instances at run time, until an apply changes instances", In: api.ScaleRequest{}, Out: api.Service{}},
	{Pattern: "POST /v1/services/{name}/exec", Summary: "Run a one-off command in an instance (its user, env, secrets, work dir); recorded", In: api.ExecRequest{}, Out: api.ExecResult{}},
	{Pattern: "GET /v1/secrets", Summary: "Secrets: names, versions and who set them (never values)", Out: []api.Secret{}},
	{Pattern: "POST /v1/secrets/{name}", Summary: "Store a secret's value, sealed, as its next version", In: api.SecretRequest{}, Out: api.Secret{}},
	{Pattern: "GET /v1/tokens", Summary: "Named tokens (never values)", Out: []api.Token{}},
	{Pattern: "POST /v1/tokens", Summary: "Create a token; its value is shown once", In: api.TokenRequest{}, Out: api.TokenCreated{}, Status: http.StatusCreated},
	{Pattern: "DELETE /v1/tokens/{name}", Summary: "Revoke a token", Status: http.StatusNoContent},
	{Pattern: "GET /v1/whoami", Summary: "Who the request's credentials are", Out: api.Whoami{}},
	{Pattern: "POST /v1/dashboard/login", Summary: "A one-time dashboard login link for the caller", Out: api.LoginLink{}},
	{Pattern: "GET /v1/openapi.json", Summary: "This document (no credentials)", Media: "application/json"},
	{Pattern: "GET /metrics", Summary: "Router metrics in Prometheus text format", Media: "text/plain"},
}

var (
	openapiOnce sync.Once
	openapiDoc  []byte
)

// openapi serves the OpenAPI 3.1 description of the API.
func (h *handler) openapi(w http.ResponseWriter, _ *http.Request) {
	openapiOnce.Do(func() {
		openapiDoc, _ = json.MarshalIndent(OpenAPI(h.cfg.Version), "", "  ")
	})
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openapiDoc)
}

var pathParam = regexp.MustCompile(`\{([a-z]+)\}`)

// OpenAPI returns the API's OpenAPI 3.1 document.
func OpenAPI(version string) map[string]any {
	s := &schemas{defs: map[string]any{}}
	paths := map[string]map[string]any{}
	for _, op := range operations {
		method, path, _ := strings.Cut(op.Pattern, " ")
		if paths[path] == nil {
			paths[path] = map[string]any{}
		}
		paths[path][strings.ToLower(method)] = s.operation(op, path)
	}
	s.defs["ErrorBody"] = s.schema(reflect.TypeOf(api.ErrorBody{}))
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "Slipway API", "version": "v1 (" + version + ")",
			"description": "Every route takes a bearer token (Authorization: Bearer) or a dashboard session, except the health check and this document. Errors are an ErrorBody."},
		"components": map[string]any{"schemas": s.defs,
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}}},
		"security": []any{map[string]any{"bearer": []any{}}},
		"paths":    paths,
	}
}

func (s *schemas) operation(op operation, path string) map[string]any {
	out := map[string]any{"summary": op.Summary, "operationId": operationID(op.Pattern)}
	var params []any
	for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
	}
	params = append(params, map[string]any{"name": "env", "in": "query", "description": "environment (default: the server's default)", "schema": map[string]any{"type": "string"}})
	out["parameters"] = params
	if op.In != nil {
		out["requestBody"] = map[string]any{"content": map[string]any{"application/json": map[string]any{"schema": s.schema(reflect.TypeOf(op.In))}}}
	}
	status := op.Status
	if status == 0 {
		status = http.StatusOK
	}
	ok := map[string]any{"description": http.StatusText(status)}
	switch {
	case op.Out != nil:
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": s.schema(reflect.TypeOf(op.Out))}}
	case op.Media != "":
		ok["content"] = map[string]any{op.Media: map[string]any{}}
	}
	errBody := map[string]any{"description": "an error", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/ErrorBody"}}}}
	out["responses"] = map[string]any{itoa(status): ok, "default": errBody}
	return out
}

func operationID(pattern string) string {
	r := strings.NewReplacer(" /v1/", "_", " /", "_", "/", "_", "{", "", "}", "", "-", "_", ".", "_")
	return strings.ToLower(r.Replace(pattern))
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// schemas turns api types into JSON Schema (2020-12, as OpenAPI 3.1
// uses), each named struct once under components.schemas.
type schemas struct{ defs map[string]any }

var timeType = reflect.TypeOf(time.Time{})

func (s *schemas) schema(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == reflect.TypeOf(json.RawMessage{}):
		return map[string]any{"description": "any JSON value"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return s.schema(t.Elem())
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Int32:
		return map[string]any{"type": "integer"}
	case reflect.Float64, reflect.Float32:
		return map[string]any{"type": "number"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": s.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": s.schema(t.Elem())}
	case reflect.Interface:
		return map[string]any{"description": "any JSON value"}
	case reflect.Struct:
		return s.object(t)
	}
	return map[string]any{}
}

// object documents a struct once, by name, and refers to it.
func (s *schemas) object(t reflect.Type) map[string]any {
	ref := map[string]any{"$ref": "#/components/schemas/" + t.Name()}
	if _, done := s.defs[t.Name()]; done {
		return ref
	}
	s.defs[t.Name()] = nil // a recursive type refers to itself
	props := map[string]any{}
	var required []string
	s.fields(t, props, &required)
	def := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		def["required"] = required
	}
	s.defs[t.Name()] = def
	return ref
}

// fields adds t's JSON fields to props (an embedded struct's inline).
func (s *schemas) fields(t reflect.Type, props map[string]any, required *[]string) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case !f.IsExported() || name == "-":
			continue
		case f.Anonymous && name == "":
			s.fields(f.Type, props, required)
			continue
		case name == "":
			name = f.Name
		}
		props[name] = s.schema(f.Type)
		if !strings.Contains(opts, "omit") && f.Type.Kind() != reflect.Pointer {
			*required = append(*required, name)
		}
	}
}
