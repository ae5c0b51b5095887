package sqlite

import (
	"time"

	"github.com/slipway-dev/slipway/store"
)

// appDoc is the applied app spec (store.App) as stored in app.data.
type appDoc struct {
	Name      string    `json:"name"`
	Spec      string    `json:"spec"`
	File      string    `json:"file"`
	Dir       string    `json:"dir,omitempty"`
	AppliedAt time.Time `json:"appliedAt"`
}

func toAppDoc(a store.App) appDoc {
	return appDoc{Name: a.Name, Spec: a.Spec, File: a.File, Dir: a.Dir, AppliedAt: a.AppliedAt}
}

func fromAppDoc(d appDoc) store.App {
	return store.App{Name: d.Name, Spec: d.Spec, File: d.File, Dir: d.Dir, AppliedAt: d.AppliedAt}
}
