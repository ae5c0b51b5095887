package httpapi

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/store"
)

// registeredRoutes returns every pattern the package's non-test files
// register on a mux (HandleFunc or Handle with a literal pattern): the
// routes as the code says them, not as a table says them.
func registeredRoutes(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(fset, f, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 2 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "HandleFunc" && sel.Sel.Name != "Handle") {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Errorf("%s: a route registered with a pattern that is not a literal; the OpenAPI test cannot see it", fset.Position(call.Pos()))
				return true
			}
			p, _ := strconv.Unquote(lit.Value)
			out = append(out, p)
			return true
		})
	}
	sort.Strings(out)
	return out
}

// TestOpenAPIDocumentsEveryRoute keeps /v1/openapi.json true: every
// route the code registers is documented, and every documented route
// is one the mux routes to.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	documented := map[string]bool{}
	for _, op := range operations {
		documented[op.Pattern] = true
	}
	routes := registeredRoutes(t)
	if len(routes) < 30 {
		t.Fatalf("found only %d registered routes: the walk is broken", len(routes))
	}
	registered := map[string]bool{}
	for _, r := range routes {
		registered[r] = true
		if !documented[r] {
			t.Errorf("route %q is registered but not documented in httpapi/openapi.go", r)
		}
	}
	h := New(Config{Store: store.NewMemory()}).(*handler)
	for _, op := range operations {
		if !registered[op.Pattern] {
			t.Errorf("documented route %q is not registered", op.Pattern)
		}
		method, path, _ := strings.Cut(op.Pattern, " ")
		path = strings.NewReplacer("{id}", "1", "{name}", "s", "{verb}", "pause", "{key}", "k", "{digest}", "sha256:00").Replace(path)
		if _, got := h.mux.Handler(httptest.NewRequest(method, path, nil)); got != op.Pattern {
			t.Errorf("documented route %q: the mux routes %s %s to %q", op.Pattern, method, path, got)
		}
	}
}

// TestOpenAPIServed checks the document over HTTP, without credentials:
// valid JSON, version 3.1, every operation there with its schemas.
func TestOpenAPIServed(t *testing.T) {
	a := newRoleAPI(t)
	resp, body := a.do(t, "GET", "/v1/openapi.json", "", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("GET /v1/openapi.json: %d %s", resp.StatusCode, body)
	}
	var doc struct {
		OpenAPI    string                               `json:"openapi"`
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	n := 0
	for _, ops := range doc.Paths {
		n += len(ops)
	}
	if n != len(operations) {
		t.Errorf("document has %d operations, the table %d", n, len(operations))
	}
	for _, name := range []string{"Service", "Canary", "Measurement", "Promotion", "ErrorBody", "DORAMetrics"} {
		if doc.Components.Schemas[name] == nil {
			t.Errorf("schema %s missing", name)
		}
	}
	// Every $ref points at a schema the document has.
	for _, ref := range regexpRefs.FindAllStringSubmatch(string(body), -1) {
		if doc.Components.Schemas[ref[1]] == nil {
			t.Errorf("$ref to missing schema %q", ref[1])
		}
	}
}

var regexpRefs = regexp.MustCompile(`"#/components/schemas/([A-Za-z]+)"`)
