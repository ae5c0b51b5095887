// Package secret seals, stores and reveals the secrets an app's
// instances run with (issue 17).
//
// A secret's value enters the server in one of two ways: the CLI
// resolves a spec's secrets: section on the deployer's machine and sends
// the values with an apply (never the sources: the server runs no
// command a spec names), or `slipway secret set` sends one. Either way
// the value is sealed at once with the server's age key (X25519, a file
// in the data folder made 0600 at first start, or one the operator
// gives) and stored as a new version (store.Secret), with who set it and
// a `secret.set` event that names the version, never the value.
//
// A revision pins the versions of the secrets its env references
// (spec.Service.SecretVersions, set by Pin at apply time), so a changed
// secret is a changed service (a new revision, rolled out like any
// other) and a rollback runs with the values it ran with before. The
// value is unsealed only when an instance starts (Vault.Reveal), into
// the environment the driver gives the process.
//
// Nothing here logs, formats or returns a value in an error.
package secret
