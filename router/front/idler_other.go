//go:build !linux

package front

// idler is Linux's (epoll); elsewhere idle connections wait on
// goroutines of their own (wake).
type idler struct{}

func newIdler() *idler                 { return nil }
func (d *idler) park(*clientConn) bool { return false }
func (d *idler) forget(*clientConn)    {}
func (d *idler) unwatch(*clientConn)   {}
func (d *idler) stop()                 {}
