package ofrep

import "net/http"

// configurationResponse is OFREP's configurationResponse (an extension:
// providers that opt in read it at start).
type configurationResponse struct {
	Name         string       `json:"name"`
	Capabilities capabilities `json:"capabilities"`
}

type capabilities struct {
	FlagEvaluation flagEvaluation `json:"flagEvaluation"`
}

type flagEvaluation struct {
	SupportedTypes []string `json:"supportedTypes"`
}

// configuration is fixed: every flag type, and no polling advice (the
// event stream is advertised in bulk answers instead).
var configuration = configurationResponse{
	Name: "slipway",
	Capabilities: capabilities{FlagEvaluation: flagEvaluation{
		SupportedTypes: []string{"boolean", "string", "int", "float", "object"},
	}},
}

// configuration serves GET /ofrep/v1/configuration.
func (h *Handler) configuration(w http.ResponseWriter, r *http.Request, _ caller, _ string) {
	const tag = `"slipway-ofrep-1"` // bump with the answer above
	w.Header().Set("ETag", tag)
	if noneMatch(r.Header.Values("If-None-Match"), tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.writeJSON(w, http.StatusOK, &configuration)
}
