package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"github.com/slipway-dev/slipway/httpapi"
)

// instanceTokenPrefix starts every instance's own credential.
const instanceTokenPrefix = "slwi_"

// instanceKeys sign each instance's own credential (SLIPWAY_CONFIG_TOKEN):
// "slwi_" + base64url(ENV/ID) + "." + hex(HMAC-SHA256(the environment's
// key, ENV/ID)). Nothing is stored per instance: the token is checked by
// its MAC, and the API refuses it once the instance's record is gone or
// leaving (httpapi scopeConfig), so it is revoked when the instance
// ends. The key lives in the environment's folder (instance.key, 0600),
// so instances adopted after a restart keep a valid one.
type instanceKeys struct {
	mu    sync.RWMutex      // guards byEnv (an apply may open an environment)
	byEnv map[string][]byte // by environment name
}

// load reads (or makes) environment name's key in dir.
func (k *instanceKeys) load(name, dir string) error {
	key, err := secretFile(filepath.Join(dir, "instance.key"), "")
	if err != nil {
		return fmt.Errorf("environment %s's instance key: %w", name, err)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.byEnv == nil {
		k.byEnv = map[string][]byte{}
	}
	k.byEnv[name] = []byte(key)
	return nil
}

// mac signs env/id with env's key; nil when env has none.
func (k *instanceKeys) mac(env, id string) []byte {
	k.mu.RLock()
	key := k.byEnv[env]
	k.mu.RUnlock()
	if key == nil {
		return nil
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(env + "/" + id))
	return m.Sum(nil)
}

// token returns instance id's credential in environment env.
func (k *instanceKeys) token(env, id string) string {
	return instanceTokenPrefix + base64.RawURLEncoding.EncodeToString([]byte(env+"/"+id)) + "." + hex.EncodeToString(k.mac(env, id))
}

// lookup returns the scoped principal of an instance's credential, or
// false for one no environment's key signed.
func (k *instanceKeys) lookup(value string) (httpapi.Principal, bool) {
	body, ok := strings.CutPrefix(value, instanceTokenPrefix)
	if !ok {
		return httpapi.Principal{}, false
	}
	who, sig, ok := strings.Cut(body, ".")
	raw, err := base64.RawURLEncoding.DecodeString(who)
	mac, err2 := hex.DecodeString(sig)
	if !ok || err != nil || err2 != nil {
		return httpapi.Principal{}, false
	}
	env, id, ok := strings.Cut(string(raw), "/")
	want := k.mac(env, id)
	if !ok || want == nil || !hmac.Equal(mac, want) {
		return httpapi.Principal{}, false
	}
	return httpapi.Principal{Name: "instance:" + id, Role: httpapi.RoleEvaluator, Instance: id, Env: env}, true
}
