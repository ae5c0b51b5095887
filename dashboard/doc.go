// Package dashboard is Slipway's web UI: server-rendered html/template
// pages embedded in the binary, a few lines of vendored script for live
// fragments (EventSource) and confirmations, and charts drawn in Go as
// inline SVG. Nothing is fetched at run time and nothing is built.
//
// The dashboard reads and acts only through the API (the handler the
// server gives it, called in-process for pages, and by the browser for
// actions): what a page shows is what `slipway status` shows, and what a
// button does is what the CLI's verb does, under the same roles.
//
// Sessions: `slipway dashboard` asks the API (over the Unix socket, so
// as the local user) for a one-time login link (Grant); anyone else logs
// in with a token. A session is a random cookie (HttpOnly,
// SameSite=Strict, Secure under TLS) naming a record kept in memory:
// sessions end with the server, and after their TTL. A session opened
// with a token keeps the token (in memory only) and sends it on every
// API call, so revoking the token ends what the session may do at once.
//
// Cross-site request forgery: the browser's actions are JSON POSTs to
// /v1/..., which the API already refuses from a foreign Origin or with
// another Content-Type; a request that authenticates with the session
// cookie must moreover carry an Origin (or Sec-Fetch-Site) that says it
// comes from the dashboard's own pages.
package dashboard
