package queue

import (
	"fmt"
	"strconv"
)

// Kind is what a key names: which reconciler takes it.
type Kind uint8

// The kinds of key. The zero Kind names nothing.
const (
	// Service is a service, reconciled by the rollout controller.
	Service Kind = iota + 1
	// Operation is an operation (apply, rollback, deploy), by its id,
	// reconciled by the stack controller.
	Operation
	// Flag is a flag's progressive release, by the flag's key.
	Flag
	// Promotion is a promotion, by its id, reconciled by the pipeline
	// controller on the hub's queue.
	Promotion
	// Environment is an environment being taken down, by its name,
	// reconciled by the take-down controller on the server's own queue.
	Environment
	// Config is a dynamic configuration's delivery, by the config's
	// name, reconciled by the rollout controller.
	Config
)

// kindNames are the kinds as logs show them (and as keys were spelled
// when they were strings).
var kindNames = [...]string{Service: "svc", Operation: "op", Flag: "flag", Promotion: "promo", Environment: "env", Config: "config"}

// String returns the kind's short name: svc, op, flag, promo or env.
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// numeric reports whether keys of this kind name a record by its id.
func (k Kind) numeric() bool { return k == Operation || k == Promotion }

// Key names one thing to reconcile. Keys are comparable: the queue keeps
// them in maps, so two keys of the same kind and name are the same key.
type Key struct {
	Kind Kind
	// Name is the service's name, the flag's key, or the id in decimal.
	Name string
}

// ServiceKey is the key of a service.
func ServiceKey(name string) Key { return Key{Kind: Service, Name: name} }

// OperationKey is the key of an operation.
func OperationKey(id int64) Key { return Key{Kind: Operation, Name: strconv.FormatInt(id, 10)} }

// FlagKey is the key of a flag's progressive release.
func FlagKey(flag string) Key { return Key{Kind: Flag, Name: flag} }

// PromotionKey is the key of a promotion.
func PromotionKey(id int64) Key { return Key{Kind: Promotion, Name: strconv.FormatInt(id, 10)} }

// ConfigKey is the key of a config's delivery.
func ConfigKey(name string) Key { return Key{Kind: Config, Name: name} }

// EnvironmentKey is the key of an environment being taken down.
func EnvironmentKey(name string) Key { return Key{Kind: Environment, Name: name} }

// String returns the key as logs show it: "svc:order", "op:12".
func (k Key) String() string { return k.Kind.String() + ":" + k.Name }

// ID returns the id an operation's or a promotion's key names; an error
// for a key of another kind or whose name is not an id.
func (k Key) ID() (int64, error) {
	if !k.Kind.numeric() {
		return 0, fmt.Errorf("key %s names no id", k)
	}
	id, err := strconv.ParseInt(k.Name, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("key %s: %w", k, err)
	}
	return id, nil
}
