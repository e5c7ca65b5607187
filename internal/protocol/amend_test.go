package protocol

import (
	"encoding/json"
	"testing"

	"github.com/ringfence/ringfence/internal/spec"
	"github.com/ringfence/ringfence/internal/store"
)

// beginAmend opens an amend of snapshot id declaring one artifact holding data.
func beginAmend(t *testing.T, s *Server, id string, meta map[string]any, name string, data []byte) ReplyOf {
	t.Helper()
	return call(t, s, "snapshot.begin", map[string]any{"meta": meta, "amends": id, "artifacts": []map[string]any{
		{"name": name, "mime": "image/png", "size": len(data), "sha256": sum(data)}}})
}

// The refusals reach the extension as stable codes, before any chunk is sent.
func TestAmendCodes(t *testing.T) {
	s := NewServer(newStore(t, store.Options{}), nil, testKeys)
	meta := with(metaJSON(), "capture_id", "6a1b2c3d-0000-4000-8000-000000000001")
	first := upload(t, s, meta, []byte(`{"api_keys":[]}`))
	png := []byte("tile")
	for _, c := range []struct {
		name, id string
		meta     map[string]any
		artifact string
		code     string
	}{
		{"unknown snapshot", "20261130T100203Z-deadbeef", meta, "fullpage.png", spec.CodeUnknownSnapshot},
		{"artifact it has", first.SnapshotID, meta, "settings.json", spec.CodeArtifactExists},
		{"capture mismatch", first.SnapshotID, with(meta, "capture_id", "6a1b2c3d-0000-4000-8000-000000000002"), "fullpage.png", spec.CodeCaptureMismatch},
		{"bad artifact name", first.SnapshotID, meta, "Full Page.png", spec.CodeBadRequest},
	} {
		r := beginAmend(t, s, c.id, c.meta, c.artifact, png)
		if r.OK || r.Error.Code != c.code {
			t.Errorf("%s: %+v, want %s", c.name, r.Error, c.code)
		}
	}
	// Accepted: chunks and commit as usual, on the same snapshot id; notes merged.
	r := beginAmend(t, s, first.SnapshotID, with(meta, "notes", map[string]string{"fullpage": "1 tile"}), "fullpage.png", png)
	if !r.OK {
		t.Fatalf("amend begin: %+v", r.Error)
	}
	var b struct {
		UploadID string `json:"upload_id"`
	}
	json.Unmarshal(r.Body, &b)
	if r := call(t, s, "snapshot.chunk", map[string]any{"upload_id": b.UploadID, "artifact": "fullpage.png", "offset": 0, "data": png}); !r.OK {
		t.Fatalf("chunk: %+v", r.Error)
	}
	r = call(t, s, "snapshot.commit", map[string]any{"upload_id": b.UploadID})
	var c commitReply
	json.Unmarshal(r.Body, &c)
	if !r.OK || c.SnapshotID != first.SnapshotID || c.Duplicate || len(c.Artifacts) != 1 || c.Artifacts[0].Name != "fullpage.png" {
		t.Fatalf("amend commit: %+v %+v", r.Error, c)
	}
	snap, err := s.store.GetSnapshot(t.Context(), first.SnapshotID)
	if err != nil || len(snap.Artifacts) != 2 || snap.Notes["fullpage"] != "1 tile" {
		t.Errorf("stored: %+v %v", snap, err)
	}
}
