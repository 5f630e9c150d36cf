package pullevent

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/gorilla/mux"
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

// routes is the server's one router: API 3.0 on /, the legacy API on
// LegacyPath, and the admin API under AdminPrefix behind its access check
// (an unknown admin path too, so that it tells nothing to a caller refused).
func (s *Server) routes() *mux.Router {
	r := mux.NewRouter()
	r.HandleFunc("/", s.serveAPI3)
	r.HandleFunc(LegacyPath, s.serveLegacy)
	notFound := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		adminError(w, http.StatusNotFound, fmt.Sprintf("no such path %s: the APIs are POST / (API 3.0), %s (legacy) and %s/ (admin)", r.URL.Path, LegacyPath, AdminPrefix))
	})
	a := r.PathPrefix(AdminPrefix + "/").Subrouter()
	a.Use(s.adminOnly)
	a.Handle("/stats", byMethod{http.MethodGet: s.adminStats})
	a.Handle("/events", byMethod{http.MethodGet: s.adminPeek, http.MethodPost: s.adminInject})
	a.Handle("/reset", byMethod{http.MethodPost: s.adminReset})
	a.NotFoundHandler = s.adminOnly(notFound)
	r.NotFoundHandler = notFound
	return r
}

// adminOnly lets through the admin requests that adminAllowed accepts.
func (s *Server) adminOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.adminAllowed(w, r) {
			next.ServeHTTP(w, r)
		}
	})
}

// ServeHTTP routes r to the API it addresses.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.router.ServeHTTP(w, r) }
