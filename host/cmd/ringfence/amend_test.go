package main

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ringfence/ringfence/internal/protocol"
	"github.com/ringfence/ringfence/internal/store"
)

// TestAmendSurvivesKilledHost: the second commit of a snapshot (full-page
// tiles, MHTML) is cut at random points by SIGKILL — a dropped port — and
// retried on a new host process with the same bytes, as the extension does.
// Every snapshot ends with its tiles stored once and one snapshot.amended
// event; the chain verifies, and so does an exported kit of it all.
func TestAmendSurvivesKilledHost(t *testing.T) {
	ctx := context.Background()
	home := t.TempDir()
	rng := mrand.New(mrand.NewPCG(2, uint64(time.Now().UnixNano())))
	const rounds = 8
	type want struct{ tiles []protocol.Artifact }
	wants := map[string]want{}
	duplicates := 0
	for round := 0; round < rounds; round++ {
		h := startHost(t, home, chromeArgs()...)
		meta := testMeta(fmt.Sprintf("tall page %d", round))
		meta["capture_id"] = fmt.Sprintf("amend-kill-%04d-0000", round)
		first, err := h.UploadSnapshot(ctx, meta, []protocol.Artifact{
			{Name: "screenshot.png", MIME: "image/png", Data: randBytes(40_000)},
			{Name: "dom.html", MIME: "text/html", Data: []byte("<p>tall</p>")}}, 0)
		if err != nil {
			t.Fatalf("round %d first commit: %v\n%s", round, err, h.stderr)
		}
		tiles := []protocol.Artifact{
			{Name: "fullpage-01.png", MIME: "image/png", Data: randBytes(300_000 + rng.IntN(200_000))},
			{Name: "fullpage-02.png", MIME: "image/png", Data: randBytes(300_000 + rng.IntN(200_000))},
			{Name: "page.mhtml", MIME: "multipart/related", Data: randBytes(200_000)},
		}
		wants[first.SnapshotID] = want{tiles}
		amendMeta := map[string]any{"url": meta["url"], "captured_at": meta["captured_at"], "trigger": "button",
			"capture_id": meta["capture_id"], "notes": map[string]string{"fullpage": "2 tiles"}}
		done := make(chan error, 1)
		go func() {
			_, err := h.AmendSnapshot(ctx, first.SnapshotID, amendMeta, tiles, 64<<10)
			done <- err
		}()
		time.Sleep(time.Duration(rng.IntN(150)) * time.Millisecond)
		h.cmd.Process.Kill()
		h.cmd.Wait()
		acked := <-done == nil
		// The retry, on a new process: stored now, or found stored already.
		h2 := startHost(t, home, chromeArgs()...)
		res, err := h2.AmendSnapshot(ctx, first.SnapshotID, amendMeta, tiles, 0)
		if err != nil {
			t.Fatalf("round %d retried amend: %v\n%s", round, err, h2.stderr)
		}
		if res.SnapshotID != first.SnapshotID || len(res.Artifacts) != 3 || (acked && !res.Duplicate) {
			t.Errorf("round %d retry answered %+v (first attempt acknowledged: %v)", round, res, acked)
		}
		if res.Duplicate {
			duplicates++
		}
		h2.close(t)
	}
	t.Logf("%d of %d retries found the amend stored already", duplicates, rounds)

	st := openStore(t, home)
	for id, w := range wants {
		snap, err := st.GetSnapshot(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(snap.Artifacts) != 5 || snap.Notes["fullpage"] != "2 tiles" {
			t.Errorf("%s: %d artifacts, notes %v", id, len(snap.Artifacts), snap.Notes)
		}
		for _, a := range w.tiles {
			r, err := st.OpenArtifact(ctx, id, a.Name)
			if err != nil {
				t.Errorf("%s/%s: %v", id, a.Name, err)
				continue
			}
			b, _ := io.ReadAll(r)
			r.Close()
			if sha(b) != sha(a.Data) {
				t.Errorf("%s/%s holds other bytes than were sent", id, a.Name)
			}
		}
	}
	amended := 0
	st.Events(ctx, func(e store.Event) error {
		if e.Type == store.EventSnapshotAmended {
			amended++
		}
		return nil
	})
	if amended != rounds {
		t.Errorf("%d snapshot.amended events, want %d (one per snapshot, none for a retry)", amended, rounds)
	}
	if bad, err := st.VerifyChain(ctx); bad != 0 || err != nil {
		t.Errorf("chain broken at %d: %v", bad, err)
	}
	if res, err := st.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Errorf("integrity_check: %q %v", res, err)
	}

	// The kit carries the amended artifacts with their hashes and verifies.
	kit := filepath.Join(t.TempDir(), "kit.zip")
	if out, code := runCLI(t, home, "export", "--out", kit); code != 0 {
		t.Fatalf("export: %d %s", code, out)
	}
	if out, code := runCLI(t, home, "verify", kit); code != 0 || !strings.Contains(out, "intact") {
		t.Fatalf("verify: %d %s", code, out)
	}
	zr, err := zip.OpenReader(kit)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	inKit := map[string]bool{}
	var events string
	for _, f := range zr.File {
		inKit[f.Name] = true
		if strings.HasSuffix(f.Name, "events.jsonl") {
			r, _ := f.Open()
			b, _ := io.ReadAll(r)
			r.Close()
			events = string(b)
		}
	}
	for id, w := range wants {
		found := false
		for name := range inKit {
			if strings.Contains(name, id) && strings.HasSuffix(name, "/fullpage-02.png") {
				found = true
			}
		}
		if !found {
			t.Errorf("kit lacks %s's fullpage-02.png", id)
		}
		var line map[string]any
		for _, l := range strings.Split(events, "\n") {
			if strings.Contains(l, `"snapshot.amended"`) && strings.Contains(l, id) {
				json.Unmarshal([]byte(l), &line)
			}
		}
		if line == nil || !strings.Contains(fmt.Sprint(line["detail"]), sha(w.tiles[1].Data)) {
			t.Errorf("kit's events.jsonl has no snapshot.amended for %s with fullpage-02.png's hash", id)
		}
	}
}
