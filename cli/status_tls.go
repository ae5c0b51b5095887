package cli

import (
	"fmt"
	"io"

	"github.com/slipway-dev/slipway/api"
)

// printCertificates writes the TLS router's certificates from ACME under
// the services, failures first; nothing when there are none.
func printCertificates(w io.Writer, certs []api.Certificate) {
	if len(certs) == 0 {
		return
	}
	fmt.Fprintln(w)
	t := newTable(w)
	fmt.Fprintln(t, "CERTIFICATE\tSTATE\tSINCE\tERROR")
	for _, c := range certs {
		state := c.State
		if state == api.CertificateFailed {
			state = "FAILED"
		}
		fmt.Fprintf(t, "%s\t%s\t%s\t%s\n", c.Host, state, c.Since.Local().Format("2006-01-02 15:04:05"), orDash(c.Error))
	}
	t.Flush()
}
