// Package ofrep serves feature flags over OFREP, the OpenFeature Remote
// Evaluation Protocol (github.com/open-feature/protocol, service/openapi.yaml,
// and ADR-0008 for the event stream), so that any OpenFeature SDK with an
// OFREP provider can evaluate Slipway's flags without a Slipway library.
//
// The Handler serves only OFREP's paths, each behind an evaluation key:
//
//	POST /ofrep/v1/evaluate/flags/{key}  one flag (dynamic context: servers)
//	POST /ofrep/v1/evaluate/flags        every flag (static context: web, mobile), ETag / 304
//	GET  /ofrep/v1/events                SSE: "re-fetch now", once per configuration change
//	GET  /ofrep/v1/configuration         what this server supports (an OFREP extension)
//
// Anything else is 404, a wrong method 405. The evaluation itself is the
// Evaluator's (the flags engine over the store); this package only turns
// HTTP into flags.Context and flags.Result into OFREP's JSON.
//
// # Requests
//
// A body is {"context": {...}} with the targeting key inside the context
// ("targetingKey", a string). An empty body, a missing context and a null
// context all mean the empty context. The body is capped (Config.MaxBody,
// 1 MiB by default).
//
// # Status and error codes
//
// Every answer is decided in one place, status.go. For one flag:
//
//	success (any reason, DISABLED included)        200 {key, value, reason, variant, metadata}
//	FLAG_NOT_FOUND                                 404 {key, errorCode, errorDetails}
//	PARSE_ERROR, TARGETING_KEY_MISSING,
//	INVALID_CONTEXT, GENERAL                       400 {key, errorCode, errorDetails}
//	TYPE_MISMATCH or any code OFREP does not list  400 with errorCode GENERAL (details name the code)
//	malformed JSON, body not an object, too large  400 PARSE_ERROR
//	context not an object, targetingKey not text   400 INVALID_CONTEXT
//	no key where one is needed, unknown key        401 (WWW-Authenticate: Bearer), no body
//	key known but refused                          403, no body
//	the Evaluator panicked, key check failed       500 {errorDetails}
//
// The spec's evaluationFailure lists exactly PARSE_ERROR,
// TARGETING_KEY_MISSING, INVALID_CONTEXT and GENERAL for a 400, and
// flagNotFound FLAG_NOT_FOUND for the 404; OFREP requests carry no flag type
// (ADR-0003), so a type mismatch is the client's to find, and an engine
// that reports one is answered as GENERAL. In bulk, a flag's error is one
// element of "flags" ({key, errorCode, errorDetails}, codes as above) and
// the answer is still 200; only a request that cannot be read is a 400
// ({errorCode, errorDetails}, no key).
//
// # Bulk caching
//
// A bulk answer carries a strong ETag that hashes the Evaluator's Version,
// the evaluation key and the canonical JSON of the request's context (keys
// sorted, numbers normalised), so the same context under the same
// configuration gets the same tag from any process. If-None-Match naming
// it (or "*") is answered 304 without evaluating anything (OFREP's rule
// for this POST; plain HTTP would say 412). ETags are not a hash of the
// body: Evaluate must be a function of the configuration and the context
// alone. The flagConfigEtag and flagConfigLastModified query parameters
// of an ADR-0008 re-fetch are accepted and ignored: this server has no
// cache that could be behind the configuration they name.
//
// # Event stream
//
// GET /ofrep/v1/events is a text/event-stream that sends, each time the
// configuration changes, one ADR-0008 event:
//
//	id: <config tag>
//	event: message
//	data: {"type":"refetchEvaluation","etag":"\"<config tag>\""}
//
// where the config tag is a hash of the Evaluator's Version. Changes that
// come faster than a client reads are coalesced; a client that reconnects
// with a Last-Event-ID other than the current tag gets an event at once.
// Comments keep idle connections alive; a stream ends with its request,
// with Close, or after Config.StreamMaxAge (EventSource clients reconnect);
// at most Config.MaxStreams run at once (503 beyond). Bulk answers
// advertise the stream in "eventStreams". The stream wants the same key
// headers as the evaluations, which a browser's EventSource cannot send.
// The v0.1.7 Go provider reads no stream and no bulk answer: it evaluates
// one flag per call.
//
// # Keys
//
// Evaluation keys come as "Authorization: Bearer KEY" or "X-API-Key: KEY"
// and are checked by Config.CheckKey. The Slipway server accepts any
// token it knows (an evaluator's grants nothing but this handler) and
// never serves anonymous requests; Config.AllowAnonymous, which serves a
// request without a key, is for other embedders and tests.
package ofrep
