package evidence

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"sort"
	"testing"
	"time"

	"github.com/ringfence/ringfence/internal/store"
)

// memSource is an in-memory Source for unit tests; the real store is used
// by the CLI tests.
type memSource struct {
	snaps  []Snapshot
	blobs  map[string][]byte // "id/name" → bytes
	events []Event
}

func (m *memSource) Snapshots(_ context.Context, f Filter) ([]Snapshot, error) {
	var out []Snapshot
	for _, s := range m.snaps {
		if !f.Since.IsZero() && s.CapturedAt.Before(f.Since) || !f.Until.IsZero() && !s.CapturedAt.Before(f.Until) {
			continue
		}
		if len(f.Categories) > 0 && !contains(f.Categories, s.Category) || len(f.IDs) > 0 && !contains(f.IDs, s.ID) {
			continue
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CapturedAt.After(out[j].CapturedAt) })
	return out, nil
}

func contains(set []string, s string) bool {
	for _, x := range set {
		if x == s {
			return true
		}
	}
	return false
}

func (m *memSource) OpenArtifact(_ context.Context, id, name string) (io.ReadCloser, error) {
	b, ok := m.blobs[id+"/"+name]
	if !ok {
		return nil, fmt.Errorf("%s/%s: %w", id, name, store.ErrNotFound)
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

func (m *memSource) Events(_ context.Context, fn func(Event) error) error {
	for _, e := range m.events {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

func (m *memSource) addSnapshot(t testing.TB, s Snapshot, files map[string][]byte, mimes map[string]string) {
	t.Helper()
	if m.blobs == nil {
		m.blobs = map[string][]byte{}
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		sum := sha256.Sum256(files[n])
		s.Artifacts = append(s.Artifacts, Artifact{Name: n, MIME: mimes[n], Size: int64(len(files[n])), SHA256: hex.EncodeToString(sum[:])})
		m.blobs[s.ID+"/"+n] = files[n]
	}
	m.snaps = append(m.snaps, s)
}

func (m *memSource) addEvent(typ, rule, url string, at time.Time, detail string) {
	prev := store.GenesisHash
	if n := len(m.events); n > 0 {
		prev = m.events[n-1].Hash
	}
	e := Event{Seq: int64(len(m.events) + 1), At: at.UTC().Truncate(time.Millisecond), Type: typ, RuleID: rule, URL: url, Detail: json.RawMessage(detail), PrevHash: prev}
	e.Hash = store.ChainHash(prev, e)
	m.events = append(m.events, e)
}

func testPNG(t testing.TB, w, h int, seed byte) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetNRGBA(x, y, color.NRGBA{uint8(x) ^ seed, uint8(y), seed, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var testKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))

// demoSource is a small realistic store: three categories covered, two not,
// a warning that was heeded and one that was not.
func demoSource(t testing.TB) *memSource {
	m := &memSource{}
	base := time.Date(2026, 11, 20, 9, 0, 0, 123e6, time.UTC)
	settings := `{"controls":[{"label":"Improve the model for everyone","kind":"switch","state":false},{"label":"Chat history","kind":"switch","state":true}],"fields":[{"label":"Email","value":"a@example.com"},{"label":"Plan","value":"Plus"}],"api_keys":[{"name":"prod","value":"sk-…REDACTED"}]}`
	for i, c := range []struct{ id, url, title, cat string }{
		{"20261120T090000Z-aaaaaa", "https://chatgpt.com/#settings/DataControls", "ChatGPT — Data controls", "consent_training"},
		{"20261121T090000Z-bbbbbb", "https://chatgpt.com/#settings/Account", "ChatGPT — Account", "account_status"},
		{"20261122T090000Z-cccccc", "https://platform.openai.com/api-keys", "API keys — OpenAI Platform", "api_dashboard"},
	} {
		s := Snapshot{
			ID: c.id, URL: c.url, FinalURL: c.url, Title: c.title,
			CapturedAt: base.Add(time.Duration(i) * 24 * time.Hour), TZOffsetMinutes: 60, Trigger: "button",
			Browser: "Chromium", BrowserVersion: "156.0", ExtensionVersion: "0.1.0", HostVersion: "0.1.0",
			ViewportWidth: 1280, ViewportHeight: 800, DevicePixelRatio: 1, Language: "en-US",
			Category: c.cat, CategorySource: "auto", StoredAt: base.Add(time.Duration(i)*24*time.Hour + time.Second),
			Redactions: []Redaction{{Rule: "openai_key", Artifact: "dom.html", Count: 1}},
			Notes:      map[string]string{},
		}
		m.addSnapshot(t, s, map[string][]byte{
			"screenshot.png": testPNG(t, 640, 400, byte(i*40)),
			"dom.html":       []byte("<!doctype html><title>" + c.title + "</title><body><h1>Settings</h1><p>sk-…REDACTED</p></body>"),
			"settings.json":  []byte(settings),
			"text.txt":       []byte("Settings\nImprove the model for everyone: off\n"),
		}, map[string]string{"screenshot.png": "image/png", "dom.html": "text/html", "settings.json": "application/json", "text.txt": "text/plain"})
	}
	m.addEvent("warning.shown", "chatgpt.delete-account", "https://chatgpt.com/#settings/Account", base.Add(25*time.Hour), `{"label":"Delete account"}`)
	m.addEvent("guard.cancelled", "chatgpt.delete-account", "https://chatgpt.com/#settings/Account", base.Add(25*time.Hour+time.Minute), `{"detail":"<b>kept</b> & safe"}`)
	m.addEvent("warning.shown", "platform.revoke-key", "https://platform.openai.com/api-keys", base.Add(49*time.Hour), `null`)
	m.addEvent("warning.proceeded", "platform.revoke-key", "https://platform.openai.com/api-keys", base.Add(49*time.Hour+time.Minute), `{}`)
	return m
}
