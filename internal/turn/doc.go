// Package turn takes one turn of a request/response conversation on a
// socket: it writes what one side has to say, then waits for the answer
// and reads it, with one system call fewer than a net.Conn's Write then
// Read.
//
// A net.Conn's Read first tries the read, and only when the socket has
// nothing (EAGAIN) parks the goroutine on the runtime's poller. Right
// after writing a request, or an answer on a keep-alive connection, the
// other side has surely not answered yet, so that first read is always
// wasted: for a proxy, two of its seven system calls per request, where
// nginx, told by epoll, reads only a socket that has data.
//
// The first try cannot just be skipped: Go's poller forgets a readiness
// it saw when a read starts (internal/poll's prepareRead), so waiting
// without having seen EAGAIN could wait for bytes that arrived before.
// WriteRead writes from inside the read itself (syscall.RawConn.Read),
// after the poller forgot what it saw: every byte of the answer arrives
// after that point, so its readiness is seen, and the goroutine can
// park at once.
//
// Its reads and writes on the non-blocking socket never block, and run
// without entering the runtime's syscall state (rawIO): the goroutine
// keeps its P, and sysmon has nothing to take back.
package turn
