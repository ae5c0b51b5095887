// Package api holds the v1 wire types of Slipway's HTTP API: what the
// server sends and the client and dashboard read. They are their own
// versioned shapes, apart from the stored records and the spec types, so
// either can change without breaking clients.
//
// Endpoints (all JSON unless noted; errors are an ErrorBody):
//
//	GET  /v1/health                          -> Health
//	POST /v1/validate        ApplyRequest    -> Plan (problems as 422 ErrorBody)
//	POST /v1/plan            ApplyRequest    -> Plan
//	POST /v1/apply           ApplyRequest    -> ApplyResponse
//	GET  /v1/operations/{id}                 -> Operation
//	GET  /v1/operations?active=true          -> []Operation
//	GET  /v1/services                        -> []Service
//	GET  /v1/services/{name}                 -> Service
//	GET  /v1/services/{name}/revisions       -> []Revision
//	POST /v1/services/{name}/rollback RollbackRequest -> Operation
//	POST /v1/services/{name}/promote                  -> Service
//	GET  /v1/services/{name}/logs?lines=N&follow=true -> text/plain, "instance | line"
//	GET  /v1/events?after=SEQ&service=S&limit=N       -> []Event
//	GET  /v1/events?follow=true&after=SEQ             -> text/event-stream of Event
//	HEAD /v1/artifacts/{digest}                       -> 200 or 404
//	PUT  /v1/artifacts/{digest}   (body: the bytes)   -> 201 (400 on digest mismatch)
//	GET  /metrics                                     -> Prometheus text: router metrics
//	GET  /v1/whoami                                   -> Whoami
//	POST /v1/dashboard/login                          -> LoginLink
//	GET  /v1/openapi.json                             -> the OpenAPI 3.1 document of every route
package api
