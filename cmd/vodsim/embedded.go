package main

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/vodsim/vodsim/sender/receiver"
)

// serveReceiver serves rcv on addr, with its connection limits, on every
// path, through h when h is not nil (a handler in front of rcv, such as
// receive's test double), and returns a stop function and the base URL.
func serveReceiver(rcv *receiver.Receiver, h http.Handler, addr string) (stop func(), url string, err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", err
	}
	srv, lln := rcv.NewServer(ln)
	if h == nil {
		h = rcv
	}
	// No router: the receiver takes every path as it comes, uncleaned and
	// without a redirect, and a router's match would copy each request
	// twice and make it a map of path variables, for nothing.
	srv.Handler = h
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(lln)
	}()
	stop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if srv.Shutdown(ctx) != nil {
			srv.Close()
		}
		<-done
	}
	return stop, "http://" + ln.Addr().String(), nil
}
