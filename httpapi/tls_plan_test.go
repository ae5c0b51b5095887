package httpapi

import (
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/spec"
)

func TestTLSAddressWarnings(t *testing.T) {
	moved := spec.TLSChange{Fields: []spec.FieldChange{{Path: "tls.address", Old: "0.0.0.0:8443", New: "0.0.0.0:9443"}}}
	for _, tc := range []struct {
		env  string
		c    spec.TLSChange
		want string
	}{
		{"staging", moved, ""}, // moved by the apply
		{"", moved, "the default environment's TLS listener is the server's --router-tls"},
		{"staging", spec.TLSChange{Fields: []spec.FieldChange{{Path: "tls.redirectHTTP", Old: "false", New: "true"}}}, ""},
	} {
		got := tlsAddressWarnings(tc.env, tc.c)
		if (tc.want == "") != (len(got) == 0) || (tc.want != "" && !strings.Contains(got[0], tc.want)) {
			t.Errorf("env %q: %q, want one saying %q", tc.env, got, tc.want)
		}
	}
}
