package dashboard

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"testing"
	"time"

	"github.com/ringfence/ringfence/internal/store"
)

// A second commit of a snapshot (the full-page tiles that follow the first)
// is pushed live with the snapshot's id, and the snapshot's API lists it.
func TestAmendIsPushedLive(t *testing.T) {
	r := start(t, nil)
	ws, _, err := wsDial(t, r, http.Header{"Authorization": {"Bearer " + testToken}})
	if err != nil {
		t.Fatal(err)
	}
	readUntil(t, ws, 2*time.Second, func(m map[string]any) bool { return m["type"] == "hello" })
	snap := saveSnap(t, r.st, time.Now().Add(-time.Minute), "https://chatgpt.com/#settings/DataControls", `{"controls":[]}`, "text")
	tile := bytes.Repeat([]byte{0x89, 'P', 'N', 'G'}, 500)
	h := sha256.Sum256(tile)
	u, err := r.st.BeginAmend(context.Background(), snap.ID, store.Snapshot{Notes: map[string]string{"fullpage": "1 tile"}},
		[]store.ArtifactInfo{{Name: "fullpage.png", MIME: "image/png", Size: int64(len(tile)), SHA256: hex.EncodeToString(h[:])}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Write("fullpage.png", 0, tile); err != nil {
		t.Fatal(err)
	}
	if _, _, err := u.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	readUntil(t, ws, 2*time.Second, func(m map[string]any) bool { return m["type"] == "snapshot.amended" && m["id"] == snap.ID })
	var got struct {
		Artifacts []struct{ Name string }
		Notes     map[string]string
	}
	getJSON(t, r, "/api/snapshots/"+snap.ID, &got)
	names := map[string]bool{}
	for _, a := range got.Artifacts {
		names[a.Name] = true
	}
	if !names["fullpage.png"] || !names["dom.html"] || got.Notes["fullpage"] != "1 tile" {
		t.Errorf("snapshot after the amend: %+v", got)
	}
}
