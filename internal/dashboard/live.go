package dashboard

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ringfence/ringfence/internal/store"
)

// Websocket limits.
const (
	maxClientMessage = 4 << 10         // the page sends nothing but pongs; anything larger closes the socket
	writeWait        = 5 * time.Second // a client that cannot take a frame in this time is dropped
	maxClients       = 256
)

// client is one open websocket. Messages wait in send; a client whose
// buffer is full is dropped instead of slowing the others down.
type client struct {
	conn *websocket.Conn
	send chan []byte
	once sync.Once
	done chan struct{}
}

func (c *client) close() {
	c.once.Do(func() { close(c.done) })
}

type hub struct {
	pumps   sync.WaitGroup // one per open socket's writer, so shutdown can say goodbye
	mu      sync.Mutex
	clients map[*client]struct{}
	buffer  int
	logf    func(string, ...any)
}

func newHub(buffer int, logf func(string, ...any)) *hub {
	return &hub{clients: map[*client]struct{}{}, buffer: buffer, logf: logf}
}

func (h *hub) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}

func (h *hub) add(c *client) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.clients) >= maxClients {
		return false
	}
	h.clients[c] = struct{}{}
	h.pumps.Add(1)
	return true
}

func (h *hub) remove(c *client) {
	h.mu.Lock()
	delete(h.clients, c)
	h.mu.Unlock()
	c.close()
}

// broadcast queues msg for every client without ever blocking.
func (h *hub) broadcast(msg []byte) {
	h.mu.Lock()
	var slow []*client
	for c := range h.clients {
		select {
		case c.send <- msg:
		default:
			slow = append(slow, c)
		}
	}
	for _, c := range slow {
		delete(h.clients, c)
	}
	h.mu.Unlock()
	for _, c := range slow {
		h.logf("dropping a websocket client that is %d messages behind", h.buffer)
		c.close()
	}
}

func (h *hub) closeAll() {
	h.mu.Lock()
	all := h.clients
	h.clients = map[*client]struct{}{}
	h.mu.Unlock()
	for c := range all {
		c.close()
	}
	// Let each writer send its going-away frame before the process exits.
	done := make(chan struct{})
	go func() { h.pumps.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
}

func (s *Server) send(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	s.hub.broadcast(b)
}

// publishChanges turns change-feed rows into live messages.
func (s *Server) publishChanges(batch []store.Change) {
	for _, c := range batch {
		switch c.Kind {
		case "snapshot.added":
			typ := "snapshot.added"
			if c.Info == store.TriggerImport {
				typ = "import.added"
			}
			s.send(map[string]any{"type": typ, "id": c.Ref})
		case "snapshot.deleted":
			s.send(map[string]any{"type": "snapshot.deleted", "id": c.Ref})
		case "snapshot.amended": // the full-page tiles and MHTML that follow a snapshot's first commit
			s.send(map[string]any{"type": "snapshot.amended", "id": c.Ref})
		case "event.added":
			seq, _ := strconv.ParseInt(c.Ref, 10, 64)
			if c.Info == store.EventNoteAdded {
				s.send(map[string]any{"type": "note.added", "seq": seq})
			}
			s.send(map[string]any{"type": "event.added", "seq": seq, "event_type": c.Info})
		case "key.updated":
			s.send(map[string]any{"type": "key.updated", "key": c.Ref})
		case "audit.updated", "audit.step":
			s.send(map[string]any{"type": "audit.updated", "id": c.Ref, "info": c.Info})
		}
	}
}

func (s *Server) upgrader() *websocket.Upgrader {
	return &websocket.Upgrader{
		ReadBufferSize:  1024,
		WriteBufferSize: 4096,
		// guard has already checked Origin (or the bearer token for
		// clients without one); checking again here keeps the rule in
		// one place even if the route moves.
		CheckOrigin: func(r *http.Request) bool { return s.originOK(r, s.bearerOK(r)) },
	}
}

// live is /api/live: the websocket feed.
func (s *Server) live(w http.ResponseWriter, r *http.Request) {
	conn, err := s.upgrader().Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade wrote the error response
	}
	c := &client{conn: conn, send: make(chan []byte, s.cfg.ClientBuffer), done: make(chan struct{})}
	if !s.hub.add(c) {
		conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseTryAgainLater, "too many clients"), time.Now().Add(writeWait))
		conn.Close()
		return
	}
	head, _ := s.cfg.Store.FeedHead(r.Context())
	hello, _ := json.Marshal(map[string]any{"type": "hello", "feed": head})
	c.send <- hello
	go s.readPump(c)
	s.writePump(c)
}

// readPump reads (and discards) what the page sends, so pongs and close
// frames are processed; a silent client is timed out.
func (s *Server) readPump(c *client) {
	defer s.hub.remove(c)
	pongWait := 2*s.cfg.PingInterval + writeWait
	c.conn.SetReadLimit(maxClientMessage)
	c.conn.SetReadDeadline(time.Now().Add(pongWait))
	c.conn.SetPongHandler(func(string) error { return c.conn.SetReadDeadline(time.Now().Add(pongWait)) })
	for {
		if _, _, err := c.conn.ReadMessage(); err != nil {
			return
		}
	}
}

func (s *Server) writePump(c *client) {
	ping := time.NewTicker(s.cfg.PingInterval)
	defer func() {
		defer s.hub.pumps.Done()
		ping.Stop()
		s.hub.remove(c)
		c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, ""), time.Now().Add(time.Second))
		c.conn.Close()
	}()
	for {
		select {
		case <-c.done:
			return
		case msg := <-c.send:
			c.conn.SetWriteDeadline(time.Now().Add(writeWait))
			if err := c.conn.WriteMessage(websocket.TextMessage, msg); err != nil {
				return
			}
		case <-ping.C:
			if err := c.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				return
			}
		}
	}
}
