package spec

import (
	"fmt"
	"maps"
	"net"
	"slices"
	"strconv"
)

// ACMEDNS answers ACME's DNS-01 challenges: a wildcard host
// (*.shop.example) can only be validated over DNS, so its certificate
// is obtained this way; every other host keeps HTTP-01 and TLS-ALPN-01.
//
//	acme:
//	  directory: https://acme-v02.api.letsencrypt.org/directory
//	  dns:
//	    exec: [./dns-hook]                      # ./dns-hook present|cleanup FQDN VALUE
//	    env: {DNS_TOKEN: "${secret.dns_token}"}
//	    resolvers: [1.1.1.1:53]                 # wait until they answer the record
//	    propagationTimeout: 2m
//
// The hook is the exec provider of lego and acme.sh: it works with any
// DNS a script can change. The server runs it (as an unprivileged user
// when the server is root) in the spec's folder with PATH and env only;
// it is given the record's name with its trailing dot and the value,
// and must return once the record is set (present) or gone (cleanup).
type ACMEDNS struct {
	// Exec is the hook and its first arguments; the action, the name
	// and the value follow them.
	Exec []string `yaml:"exec,omitempty" json:"exec,omitempty"`
	// Env is the hook's environment beside PATH; a value may reference
	// a secret (${secret.NAME}), revealed for each run and never logged.
	Env map[string]string `yaml:"env,omitempty" json:"env,omitempty"`
	// Resolvers (host:port), when set, are asked for the record after
	// present until each answers it, before the CA is told to look.
	Resolvers []string `yaml:"resolvers,omitempty" json:"resolvers,omitempty"`
	// PropagationTimeout bounds that wait (nil: 2m).
	PropagationTimeout *Duration `yaml:"propagationTimeout,omitempty" json:"propagationTimeout,omitempty"`
}

func (d *ACMEDNS) clone() *ACMEDNS {
	if d == nil {
		return nil
	}
	c := *d
	c.Exec = slices.Clone(d.Exec)
	c.Env = maps.Clone(d.Env)
	c.Resolvers = slices.Clone(d.Resolvers)
	c.PropagationTimeout = clonePtr(d.PropagationTimeout)
	return &c
}

// SecretRefs returns the secrets the hook's env references, sorted,
// each once.
func (d *ACMEDNS) SecretRefs() []string {
	var out []string
	for _, v := range d.Env {
		for _, ref := range secretRefs(v) {
			if !slices.Contains(out, ref.name) {
				out = append(out, ref.name)
			}
		}
	}
	slices.Sort(out)
	return out
}

// acmeDNS checks an acme.dns section.
func (v *validator) acmeDNS(path string, d *ACMEDNS) {
	switch {
	case len(d.Exec) == 0:
		v.addf(path+".exec", "required: the program that sets and removes the TXT record, like [./dns-hook], run as ./dns-hook present|cleanup FQDN VALUE (the only DNS provider here)")
	case d.Exec[0] == "":
		v.addf(path+".exec[0]", "the program is empty; like ./dns-hook")
	}
	for _, name := range sortedNames(d.Env) {
		p := path + ".env." + name
		if !envName.MatchString(name) {
			v.addf(p, "invalid variable name %q: use letters, digits and _, not starting with a digit", name)
		}
		for _, ref := range secretRefs(d.Env[name]) {
			if err := CheckSecretName(ref.name); err != nil {
				v.addf(p, "${secret.%s}: %s", ref.name, err)
			}
		}
	}
	for i, r := range d.Resolvers {
		host, port, err := net.SplitHostPort(r)
		if n, perr := strconv.Atoi(port); err != nil || host == "" || perr != nil || n < 1 || n > 65535 {
			v.addf(fmt.Sprintf("%s.resolvers[%d]", path, i), "must be a DNS server as host:port, like 1.1.1.1:53; got %q", r)
		}
	}
	switch t := d.PropagationTimeout; {
	case t == nil:
	case t.Duration <= 0:
		v.addf(path+".propagationTimeout", "must be > 0, like 2m; got %s", t)
	case len(d.Resolvers) == 0:
		v.addf(path+".propagationTimeout", "bounds the wait for resolvers to answer the record: set resolvers too, like [1.1.1.1:53]")
	}
}
