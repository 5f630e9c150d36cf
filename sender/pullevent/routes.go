package pullevent

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// byMethod routes a path's requests by HTTP method; a method it does not
// take is answered 405 with an Allow header naming the ones it does.
type byMethod map[string]http.HandlerFunc

func (m byMethod) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h, ok := m[r.Method]; ok {
		h(w, r)
		return
	}
	allow := make([]string, 0, len(m))
	for k := range m {
		allow = append(allow, k)
	}
	sort.Strings(allow)
	w.Header().Set("Allow", strings.Join(allow, ", "))
	adminError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s is not allowed on %s; it takes %s", r.Method, r.URL.Path, strings.Join(allow, ", ")))
}

// ServeHTTP routes r to the API it addresses. The two pull APIs, the hot
// paths, skip the router.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/":
		s.serveAPI3(w, r)
	case LegacyPath:
		s.serveLegacy(w, r)
	default:
		if strings.HasPrefix(r.URL.Path, AdminPrefix+"/") && !s.adminAllowed(w, r) {
			return
		}
		s.router.ServeHTTP(w, r)
	}
}
