// Package dashboard is `ringfence serve`: the case workspace. A loopback-only
// HTTP server with an access token, a live timeline over a gorilla/websocket
// feed at /api/live, the snapshot viewer, diffs, notes, imports, the API-key
// inventory, and export/verify. The page is plain HTML/CSS/JS embedded in the
// binary; nothing is loaded from anywhere else. docs/dashboard.md has the
// security model.
package dashboard

import (
	"context"
	"crypto/ed25519"
	"crypto/subtle"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ringfence/ringfence/internal/redact"
	"github.com/ringfence/ringfence/internal/store"
)

//go:embed assets
var assets embed.FS

// CookieName is the session cookie set after the first request with the
// token in the URL.
const CookieName = "ringfence_dashboard"

// Config is what the server needs from the outside.
type Config struct {
	Store *store.Store
	// Token is the access token (keys.Ring.DashboardToken).
	Token string
	// SigningKey signs kits exported from the dashboard.
	SigningKey func(context.Context) (ed25519.PrivateKey, error)
	// ExportDir receives exported kits and uploaded kits being verified.
	ExportDir   string
	HostVersion string
	// PollInterval is how often the change feed is checked (default 200 ms).
	PollInterval time.Duration
	// PingInterval is the websocket keep-alive period (default 20 s).
	PingInterval time.Duration
	// ClientBuffer is how many messages a websocket client may lag behind
	// before it is dropped (default 1024).
	ClientBuffer int
	// Logf receives one line per notable thing (stderr in `serve`).
	Logf func(format string, a ...any)
}

// Server is one running dashboard.
type Server struct {
	cfg    Config
	redact *redact.Redactor
	hub    *hub
	hosts  map[string]bool // accepted Host header values, set by Serve
	jobs   *jobs
	static fs.FS
	mu     sync.Mutex
	base   context.Context // Serve's context: background work ends with it
}

func (s *Server) baseContext() context.Context {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.base
}

// New prepares a server; Serve runs it.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || len(cfg.Token) < 16 {
		return nil, errors.New("dashboard: a store and a token are required")
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 200 * time.Millisecond
	}
	if cfg.PingInterval <= 0 {
		cfg.PingInterval = 20 * time.Second
	}
	if cfg.ClientBuffer <= 0 {
		cfg.ClientBuffer = 1024
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	static, err := fs.Sub(assets, "assets")
	if err != nil {
		return nil, fmt.Errorf("dashboard: assets: %w", err)
	}
	return &Server{cfg: cfg, redact: redact.New(), hub: newHub(cfg.ClientBuffer, cfg.Logf),
		jobs: &jobs{}, static: static, base: context.Background()}, nil
}

// IsLoopback reports whether addr (host:port) names a loopback address.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// allowedHosts are the Host header values a request may carry: the loopback
// names with the real port (DNS-rebinding defence: a rebound name such as
// evil.example:PORT is refused), plus the listen host itself when it is not
// loopback (--unsafe-listen).
func allowedHosts(ln net.Addr) map[string]bool {
	host, port, _ := net.SplitHostPort(ln.String())
	m := map[string]bool{
		"127.0.0.1:" + port: true,
		"localhost:" + port: true,
		"[::1]:" + port:     true,
	}
	if ip := net.ParseIP(host); ip != nil && !ip.IsLoopback() && !ip.IsUnspecified() {
		m[net.JoinHostPort(host, port)] = true
	}
	return m
}

// URL is the address to open, with the token, for a listener.
func URL(ln net.Addr, token string) string {
	_, port, _ := net.SplitHostPort(ln.String())
	host := "127.0.0.1"
	if h, _, _ := net.SplitHostPort(ln.String()); h != "" && !IsLoopback(ln.String()) && net.ParseIP(h) != nil && !net.ParseIP(h).IsUnspecified() {
		host = h
	}
	return "http://" + net.JoinHostPort(host, port) + "/?token=" + url.QueryEscape(token)
}

// Serve answers on ln until ctx ends, then shuts down gracefully: open
// requests get a few seconds to finish, websockets are closed with a
// going-away frame, the change watcher stops.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.mu.Lock()
	s.hosts = allowedHosts(ln.Addr())
	s.base = ctx
	s.mu.Unlock()
	watchErr := make(chan error, 1)
	go func() { watchErr <- s.cfg.Store.Watch(ctx, s.cfg.PollInterval, s.publishChanges) }()
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err := <-serveErr:
		cancel()
		return fmt.Errorf("dashboard: %w", err)
	case err := <-watchErr:
		if err != nil {
			s.cfg.Logf("live feed stopped: %v", err)
		}
		<-ctx.Done()
	}
	s.hub.closeAll()
	shutCtx, stop := context.WithTimeout(context.Background(), 5*time.Second)
	defer stop()
	if err := srv.Shutdown(shutCtx); err != nil {
		srv.Close()
	}
	s.jobs.wait()
	return nil
}

// Handler is the whole HTTP surface behind the security checks.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.page)
	mux.HandleFunc("GET /app.js", s.asset("app.js", "text/javascript; charset=utf-8"))
	mux.HandleFunc("GET /app.css", s.asset("app.css", "text/css; charset=utf-8"))
	mux.HandleFunc("GET /favicon.svg", s.asset("favicon.svg", "image/svg+xml"))
	mux.HandleFunc("GET /api/health", s.health)
	mux.HandleFunc("GET /api/live", s.live)
	mux.HandleFunc("GET /api/timeline", s.timeline)
	mux.HandleFunc("GET /api/snapshots/{id}", s.snapshot)
	mux.HandleFunc("DELETE /api/snapshots/{id}", s.deleteSnapshot)
	mux.HandleFunc("GET /api/snapshots/{id}/artifacts/{name}", s.artifact)
	mux.HandleFunc("GET /api/snapshots/{id}/view", s.domView)
	mux.HandleFunc("GET /api/snapshots/{id}/previous", s.previous)
	mux.HandleFunc("GET /api/diff", s.diff)
	mux.HandleFunc("GET /api/notes", s.notes)
	mux.HandleFunc("POST /api/notes", s.addNote)
	mux.HandleFunc("POST /api/import", s.importFile)
	mux.HandleFunc("GET /api/keys", s.keys)
	mux.HandleFunc("PUT /api/keys", s.updateKey)
	mux.HandleFunc("GET /api/identity", s.identity)
	mux.HandleFunc("GET /api/audits", s.audits)
	mux.HandleFunc("GET /api/audits/{id}", s.auditDetail)
	mux.HandleFunc("POST /api/export", s.export)
	mux.HandleFunc("GET /api/exports/{name}", s.download)
	mux.HandleFunc("POST /api/verify", s.verify)
	return s.guard(mux)
}

// guard applies the checks every request passes, in this order: the Host
// header, the token (bearer, cookie, or ?token= once, which becomes the
// cookie), and for anything that changes state (and the websocket upgrade)
// the Origin.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if !s.hostOK(r.Host) {
			http.Error(w, "wrong Host header: the dashboard answers only to 127.0.0.1, localhost or [::1] with its port", http.StatusMisdirectedRequest)
			return
		}
		bearer := false
		switch {
		case s.bearerOK(r):
			bearer = true
		case s.cookieOK(r):
		case r.Method == http.MethodGet && s.queryTokenOK(r):
			// First visit: trade the token in the URL for an HttpOnly
			// cookie and drop it from the address bar.
			http.SetCookie(w, &http.Cookie{Name: CookieName, Value: s.cfg.Token, Path: "/",
				HttpOnly: true, SameSite: http.SameSiteStrictMode, MaxAge: 30 * 24 * 3600})
			q := r.URL.Query()
			q.Del("token")
			u := *r.URL
			u.RawQuery = q.Encode()
			http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
			return
		default:
			w.Header().Set("WWW-Authenticate", `Bearer realm="ringfence"`)
			http.Error(w, "missing or wrong access token: open the URL `ringfence serve` printed, or use Authorization: Bearer", http.StatusUnauthorized)
			return
		}
		stateChange := r.Method != http.MethodGet && r.Method != http.MethodHead
		upgrade := strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
		if (stateChange || upgrade) && !s.originOK(r, bearer) {
			http.Error(w, "cross-origin request refused", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) hostOK(host string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hosts[strings.ToLower(host)]
}

func (s *Server) tokenEq(t string) bool {
	return t != "" && subtle.ConstantTimeCompare([]byte(t), []byte(s.cfg.Token)) == 1
}

func (s *Server) bearerOK(r *http.Request) bool {
	a := r.Header.Get("Authorization")
	t, ok := strings.CutPrefix(a, "Bearer ")
	return ok && s.tokenEq(strings.TrimSpace(t))
}

func (s *Server) cookieOK(r *http.Request) bool {
	c, err := r.Cookie(CookieName)
	return err == nil && s.tokenEq(c.Value)
}

func (s *Server) queryTokenOK(r *http.Request) bool {
	return s.tokenEq(r.URL.Query().Get("token"))
}

// originOK: a browser always sends Origin on state-changing requests and
// websocket upgrades; it must be this dashboard's own origin. A request
// without Origin (curl, a script) is accepted only with the bearer token,
// which a foreign page cannot know; cookie-only requests need the Origin.
func (s *Server) originOK(r *http.Request, bearer bool) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
			return false
		}
		return bearer
	}
	u, err := url.Parse(o)
	if err != nil || u.Scheme != "http" || u.Path != "" && u.Path != "/" {
		return false
	}
	return s.hostOK(u.Host) && strings.EqualFold(u.Host, r.Host)
}

// csp is the page's policy: only this origin's own script and style, no
// inline script, no plugins, no framing by others; frames only for the
// sandboxed DOM view.
func csp(host string) string {
	return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"connect-src 'self' ws://" + host + "; frame-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
}

func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", csp(r.Host))
	w.Header().Set("X-Frame-Options", "DENY")
	s.asset("index.html", "text/html; charset=utf-8")(w, r)
}

func (s *Server) asset(name, ctype string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, err := fs.ReadFile(s.static, name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Write(b)
	}
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "clients": s.hub.count()})
}
