package protocol

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ringfence/ringfence/internal/evidence"
	"github.com/ringfence/ringfence/internal/nativemsg"
	"github.com/ringfence/ringfence/internal/spec"
	"github.com/ringfence/ringfence/internal/store"
)

// TestExportMessage drives `export` through Serve over a pipe, as the
// browser does: progress frames carry the request id, the final reply names
// a kit in the Downloads folder that verifies.
func TestExportMessage(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "ringfence.db"), bytes.Repeat([]byte{3}, 32))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for i := 0; i < 3; i++ {
		_, err := st.SaveSnapshot(ctx, store.Snapshot{URL: "https://platform.openai.com/api-keys", Trigger: "button", Category: "api_dashboard",
			CapturedAt: time.Date(2026, 11, 1+i, 9, 0, 0, 0, time.UTC), Artifacts: []store.ArtifactInfo{{Name: "dom.html", MIME: "text/html"}}},
			map[string]io.Reader{"dom.html": strings.NewReader("<p>keys " + string(rune('a'+i)) + "</p>")})
		if err != nil {
			t.Fatal(err)
		}
	}
	home := t.TempDir()
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{5}, 32))

	type exchange struct {
		body     string
		wantOK   bool
		wantCode string
	}
	cases := []exchange{
		{`{}`, true, ""},
		{`{"format":"wacz"}`, true, ""},
		{`{"categories":["moderation"]}`, false, spec.CodeBadRequest},
		{`{"format":"tar"}`, false, spec.CodeBadRequest},
		{`{"dir":"relative/dir"}`, false, spec.CodeBadRequest},
		{`{"since":"last week"}`, false, spec.CodeBadRequest},
		{`{"categories":["api_dashboard"],"dir":"` + home + `"}`, true, ""},
		{`{"snapshot_ids":["20260101T000000Z-nope"]}`, false, spec.CodeBadRequest},
		{`{"lang":"de-DE","dir":"` + home + `"}`, true, ""},
	}
	var in bytes.Buffer
	for i, c := range cases {
		b, _ := json.Marshal(map[string]any{"id": "e" + string(rune('0'+i)), "type": "export", "body": json.RawMessage(c.body)})
		if err := nativemsg.Write(&in, b); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	srv := NewServer(st, nil, testKeys)
	srv.EnableExport(ExportConfig{
		SigningKey: func(context.Context) (ed25519.PrivateKey, error) { return key, nil },
		Getenv: func(k string) string {
			if k == "HOME" {
				return home
			}
			return ""
		},
		Progress: &out,
		Now:      func() time.Time { return time.Date(2026, 11, 30, 8, 0, 0, 0, time.Local) },
	})
	if err := srv.Serve(ctx, &in, &out); err != nil {
		t.Fatal(err)
	}

	progress := map[string]int{}
	var replies []Reply
	for {
		frame, err := nativemsg.Read(&out)
		if err != nil {
			break
		}
		var m struct {
			ID       string          `json:"id"`
			OK       bool            `json:"ok"`
			Body     json.RawMessage `json:"body"`
			Error    *Error          `json:"error"`
			Progress *struct{ Done, Total int }
		}
		if err := json.Unmarshal(frame, &m); err != nil {
			t.Fatal(err)
		}
		if m.Progress != nil {
			if m.Progress.Total != 3 && m.Progress.Total != 1 {
				t.Errorf("progress %+v", m.Progress)
			}
			progress[m.ID]++
			continue
		}
		replies = append(replies, Reply{ID: m.ID, OK: m.OK, Body: m.Body, Error: m.Error})
	}
	if len(replies) != len(cases) {
		t.Fatalf("%d replies for %d requests", len(replies), len(cases))
	}
	wantPaths := []string{
		filepath.Join(home, "Downloads", "ringfence-evidence-2026-11-30.zip"),
		filepath.Join(home, "Downloads", "ringfence-evidence-2026-11-30.wacz"),
		"", "", "", "",
		filepath.Join(home, "ringfence-evidence-2026-11-30.zip"),
		"",
		filepath.Join(home, "ringfence-evidence-2026-11-30-2.zip"),
	}
	for i, c := range cases {
		r := replies[i]
		if r.OK != c.wantOK || (!c.wantOK && r.Error.Code != c.wantCode) {
			t.Errorf("%s: reply %+v %v", c.body, r, r.Error)
			continue
		}
		if strings.Contains(c.body, "nope") && !strings.Contains(r.Error.Message, "20260101T000000Z-nope") {
			t.Errorf("%s: the error does not name the unknown id: %v", c.body, r.Error)
		}
		if !c.wantOK {
			continue
		}
		var rep spec.ExportReply
		json.Unmarshal(r.Body.(json.RawMessage), &rep)
		if rep.Path != wantPaths[i] {
			t.Errorf("%s: path %s, want %s", c.body, rep.Path, wantPaths[i])
		}
		v, _, err := evidence.VerifyFile(ctx, rep.Path)
		if err != nil || !v.OK() {
			t.Errorf("%s: kit does not verify: %v %v", c.body, err, v)
		}
		if fi, err := os.Stat(rep.Path); err != nil || fi.Size() != rep.Bytes {
			t.Errorf("%s: size %v, reply says %d", c.body, err, rep.Bytes)
		}
		if progress[r.ID] == 0 {
			t.Errorf("%s: no progress frame carried request id %s", c.body, r.ID)
		}
		// The report is in the browser's language.
		if strings.Contains(c.body, "de-DE") {
			zr, err := zip.OpenReader(rep.Path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := zr.Open("index.html")
			if err != nil {
				t.Fatal(err)
			}
			html, _ := io.ReadAll(f)
			zr.Close()
			if !bytes.Contains(html, []byte(`<html lang="de">`)) {
				t.Errorf("%s: the report is not in German", c.body)
			}
		}
	}
}
