package sqlite

import (
	"time"

	"github.com/slipway-dev/slipway/store"
)

// secretDoc is the stored form of store.Secret: one version of a secret,
// sealed (age's binary format, base64 in JSON), never the value.
type secretDoc struct {
	Name    string    `json:"name"`
	Version int       `json:"version"`
	Sealed  []byte    `json:"sealed"`
	SetAt   time.Time `json:"setAt"`
	SetBy   string    `json:"setBy,omitempty"`
	Via     string    `json:"via,omitempty"`
}

func toSecretDoc(s store.Secret) secretDoc {
	return secretDoc{Name: s.Name, Version: s.Version, Sealed: s.Sealed, SetAt: s.SetAt, SetBy: s.SetBy, Via: s.Via}
}

func fromSecretDoc(d secretDoc) store.Secret {
	return store.Secret{Name: d.Name, Version: d.Version, Sealed: d.Sealed, SetAt: d.SetAt, SetBy: d.SetBy, Via: d.Via}
}
