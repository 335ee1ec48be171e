package httpapi

import "net/http"

// adminHost lends the admin API the server's client-address rule.
type adminHost struct{ s *Server }

func (h adminHost) ClientIP(r *http.Request) string { return h.s.clientIP(r) }
