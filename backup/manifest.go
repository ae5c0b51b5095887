package backup

import (
	"path"
	"time"
)

// manifestName is the tar entry holding the Manifest, written first.
const manifestName = "backup.json"

// manifestVersion is the version of the Manifest this code writes.
const manifestVersion = 1

// Manifest describes a backup. It is its own versioned wire shape.
type Manifest struct {
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	// Source is the data folder the backup was taken from: a restore
	// looks there for the instance processes still running.
	Source string `json:"source"`
	// Databases are the environments' databases, in the tar.
	Databases []Database `json:"databases"`
}

// Database is one environment's database in a backup.
type Database struct {
	Env string `json:"env"`
	// Path is where the file is in the tar and in a data folder, with
	// slashes: "slipway.db", "envs/dev/slipway.db".
	Path string `json:"path"`
}

// instancesDir is where the environment whose database is at db (slash
// path inside a data folder) keeps its instances: beside it.
func instancesDir(db string) string {
	return path.Join(path.Dir(db), "instances")
}
