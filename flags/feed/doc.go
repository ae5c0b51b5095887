// Package feed evaluates Slipway's feature flags inside a service, with
// the same results as the server's OFREP endpoint and no request per
// evaluation: a Feed fetches the flag definitions from the server
// (GET /ofrep/v1/slipway/definitions, with an evaluation key), compiles
// them with package flags, and follows the server's OFREP event stream
// (GET /ofrep/v1/events) to fetch them again whenever they change.
//
//	f, err := feed.New(feed.Config{URL: "http://127.0.0.1:7400", Key: os.Getenv("SLIPWAY_FLAG_KEY")})
//	go f.Run(ctx)
//	<-f.Ready()
//	on := f.Evaluate("new-checkout", flags.Context{TargetingKey: userID}).Value == true
//
// Until the first fetch, every flag evaluates as not found (the caller's
// default applies); after a failure the last definitions keep serving
// while the feed reconnects with backoff.
//
// Values does the same for a dynamic configuration (configs: in
// slipway.yaml), typed: from the file Slipway delivers to the instance
// ($SLIPWAY_CONFIG_<NAME>, polled for a new version), or from the
// server (GET /v1/configs/NAME/values with the version as ETag, then
// its change stream), each version decoded into T:
//
//	type settings struct{ TimeoutMs int `json:"timeoutMs"` }
//	v, err := feed.NewValues[settings](feed.ValuesConfig{Name: "invoice-settings"})
//	go v.Run(ctx)
//	<-v.Ready()
//	s, version := v.Get()
//
// Values that do not decode into T are refused: the last good ones keep
// serving (Err says why).
package feed
