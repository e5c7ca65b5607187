package protocol

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/ringfence/ringfence/internal/store"
)

// Strings the extension sends outside artifacts (event URLs and details,
// snapshot URLs and titles) pass the host's own secret rules before storage.
func TestSecretsOutsideArtifactsAreRedacted(t *testing.T) {
	const code = "Zk81mQp0Lw3nRt7Yu2IoPa"
	const key = "sk-proj-Ab3dEf9hIj2kLmN0pQrStUvWxYz1234567890"
	st := newStore(t, store.Options{})
	s := NewServer(st, nil, testKeys)
	ctx := context.Background()

	r := call(t, s, "event.log", map[string]any{"type": "warning.shown", "rule_id": "auth.account-deleted",
		"url": "https://auth.openai.com/callback?code=" + code, "detail": map[string]any{"pasted": key}})
	if !r.OK {
		t.Fatalf("event.log: %+v", r.Error)
	}

	meta := metaJSON()
	meta["url"] = "https://platform.openai.com/api-keys?token=" + code
	meta["title"] = "Key " + key
	data := []byte(`{}`)
	id := beginMeta(t, s, meta, data)
	if r := call(t, s, "snapshot.chunk", map[string]any{"upload_id": id, "artifact": "settings.json",
		"offset": 0, "data": base64.StdEncoding.EncodeToString(data)}); !r.OK {
		t.Fatalf("chunk: %+v", r.Error)
	}
	if r := call(t, s, "snapshot.commit", map[string]any{"upload_id": id}); !r.OK {
		t.Fatalf("commit: %+v", r.Error)
	}

	var stored strings.Builder
	st.Events(ctx, func(e store.Event) error {
		stored.WriteString(e.URL + string(e.Detail))
		return nil
	})
	snaps, err := st.ListSnapshots(ctx, store.Filter{})
	if err != nil || len(snaps) != 1 {
		t.Fatalf("snapshots: %v %d", err, len(snaps))
	}
	sn := snaps[0]
	stored.WriteString(sn.URL + sn.Title)
	for _, secret := range []string{code, "Ab3dEf9hIj2kLmN0pQrStUvWxYz"} {
		if strings.Contains(stored.String(), secret) {
			t.Errorf("secret %q stored: %s", secret, stored.String())
		}
	}
	var logged bool
	for _, red := range sn.Redactions {
		if red.Artifact == "meta" && red.Rule == "openai_key" && red.Count == 1 {
			logged = true
		}
	}
	if !logged {
		t.Errorf("redaction log has no meta entry: %+v", sn.Redactions)
	}
}
