package api

import "time"

// Whoami is who the server takes a request's credentials to be (GET
// /v1/whoami): the dashboard's token login asks it.
type Whoami struct {
	// Name is what events record as By: "token:NAME" or "uid:N (user)".
	Name string `json:"name"`
	// Role is viewer, deployer, admin or evaluator.
	Role string `json:"role"`
}

// LoginLink is a one-time link that logs its opener into the dashboard
// as the principal who asked for it (POST /v1/dashboard/login): `slipway
// dashboard` asks over the Unix socket and opens it in a browser.
type LoginLink struct {
	// URL is absolute, on the API's address; it works once.
	URL     string    `json:"url"`
	Expires time.Time `json:"expires"`
}
