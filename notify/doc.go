// Package notify sends an environment's events to the destinations its
// spec's notifications: section names: Slack-compatible incoming
// webhooks ({"text": ...}) and JSON webhooks signed with HMAC-SHA256
// (signature.go documents the header and how to verify it).
//
// Delivery is at least once, from the event log: each destination has a
// cursor in the store (store.SinkCursor), written after each delivery,
// so a server killed at any moment and started again delivers from
// where it was, repeating at most the event in flight (receivers
// de-duplicate by the Slipway-Event-Id header). Events go to one
// destination in log order, one at a time; a failed delivery is retried
// with exponential backoff and jitter, its error kept on the cursor
// (without URL or key) for slipway notifications status, and never
// skipped. Each destination has a goroutine of its own (a lane), so a
// slow or dead receiver delays only itself, never a rollout or another
// destination.
//
// A lane reads its environment's own log; for an environment other than
// the default one, a second lane per destination reads the hub's log
// (the default environment's) for the promotion events into it, with
// its cursor in the hub's store named ENV/NAME.
//
// Approval links (links.go): when a promotion waits at an approval gate
// and the destination names an approver, the message carries approve
// and reject links on the server's public URL, signed with a key kept
// in the data folder (0600), expiring, working once (the nonce is
// recorded with the approval, store.LinkUse) and for the gate they were
// made for only. The link's GET shows a
// confirmation page; only its POST acts (httpapi), so a chat's link
// preview never approves.
package notify
