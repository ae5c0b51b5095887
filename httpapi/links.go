package httpapi

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/slipway-dev/slipway/notify"
	"github.com/slipway-dev/slipway/store"
)

// Approval links (package notify): a GET shows what the link would do
// and a button; only the POST acts, so a chat's link preview or a mail
// scanner that fetches the link approves nothing. The link's signature
// is its credential: these routes take no token.

// linkPage is the one page of an approval link: a question with its
// button, or what happened. It wears the dashboard's stylesheet and header
// (the same listener serves /static/ when the dashboard is on); the inline
// rules keep it readable where the dashboard is off. It needs no login:
// the link is the credential.
var linkPage = template.Must(template.New("link").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.Title}} · Slipway</title>
<style>body{font-family:system-ui,sans-serif;margin:0}main{max-width:40em;padding:0 1em}
button{font-size:1.1em;padding:.5em 1.5em}</style>
<link rel="stylesheet" href="/static/style.css"></head>
<body><header><nav aria-label="main"><a href="/" class="brand">Slipway</a></nav></header>
<main id="main"><h1>{{.Title}}</h1><p class="msg{{if .Bad}} bad{{end}}"{{if .Bad}} role="alert"{{end}}>{{.Text}}</p>
{{if .Button}}<form method="post"><button type="submit" class="primary">{{.Button}}</button></form>{{end}}
</main></body></html>
`))

type linkView struct {
	Title, Text, Button string
	Bad                 bool
}

func (h *handler) linkRoutes() {
	// The paths are notify.LinkPath's, written out for the OpenAPI test.
	h.mux.HandleFunc("GET /v1/links/approval/{token}", h.linkConfirm)
	h.mux.HandleFunc("POST /v1/links/approval/{token}", h.linkAct)
}

// link checks the request's link and returns it with its promotion.
func (h *handler) link(r *http.Request) (notify.Link, store.Promotion, error) {
	if h.cfg.Links == nil {
		return notify.Link{}, store.Promotion{}, store.Conflictf("this server makes no approval links (start it with --public-url)")
	}
	k, err := h.cfg.Links.Check(r.PathValue("token"), h.cfg.Clock.Now())
	if err != nil {
		return k, store.Promotion{}, err
	}
	hub, err := h.hub()
	if err != nil {
		return k, store.Promotion{}, err
	}
	var p store.Promotion
	err = hub.View(r.Context(), func(tx store.Tx) (err error) { p, err = tx.GetPromotion(k.Promotion); return err })
	return k, p, err
}

func (h *handler) linkConfirm(w http.ResponseWriter, r *http.Request) {
	k, p, err := h.link(r)
	if err != nil {
		h.linkError(w, err)
		return
	}
	verb := map[string]string{notify.ActionApprove: "Approve", notify.ActionReject: "Reject"}[k.Action]
	h.linkWrite(w, http.StatusOK, linkView{Title: verb + " promotion " + fmt.Sprint(p.ID),
		Text: fmt.Sprintf("%s promotion %d of %s version %s into %s at gate %d, as %s? It is %s now (%s). This link works once.",
			verb, p.ID, p.Service, p.Version, p.To, k.Gate+1, k.By, strings.ToLower(string(p.State)), p.Reason),
		Button: verb})
}

func (h *handler) linkAct(w http.ResponseWriter, r *http.Request) {
	k, _, err := h.link(r)
	if err != nil {
		h.linkError(w, err)
		return
	}
	pl, err := h.pipeline()
	if err != nil {
		h.linkError(w, err)
		return
	}
	use := store.LinkUse{Nonce: k.Nonce, Action: k.Action, Promotion: k.Promotion, By: k.By}
	p, err := pl.ApproveLink(store.WithActor(r.Context(), k.By), use, k.Gate, k.Action == notify.ActionReject)
	if err != nil {
		h.linkError(w, err)
		return
	}
	done := map[string]string{notify.ActionApprove: "approved", notify.ActionReject: "rejected"}[k.Action]
	h.linkWrite(w, http.StatusOK, linkView{Title: "Promotion " + fmt.Sprint(p.ID) + " " + done,
		Text: fmt.Sprintf("Promotion %d of %s version %s into %s was %s by %s.", p.ID, p.Service, p.Version, p.To, done, k.By)})
}

// linkError shows why a link did nothing, with the status the API would
// answer (a bad or expired link: 400).
func (h *handler) linkError(w http.ResponseWriter, err error) {
	status, body := classify(err)
	if status == http.StatusInternalServerError {
		h.cfg.Logger.Error("approval link failed", "err", err)
	}
	h.linkWrite(w, status, linkView{Title: "Nothing was changed", Text: body.Error.Message, Bad: true})
}

func (h *handler) linkWrite(w http.ResponseWriter, status int, v linkView) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	_ = linkPage.Execute(w, v)
}
