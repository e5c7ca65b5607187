package protocol

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ringfence/ringfence/internal/nativemsg"
	"github.com/ringfence/ringfence/internal/spec"
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

// Every page-originated metadata field passes the redactor, and credential
// parameters in query strings and fragments go whatever their length.
func TestEveryMetaFieldIsRedacted(t *testing.T) {
	const key = "sk-proj-Ab3dEf9hIj2kLmN0pQrStUvWxYz1234567890"
	secrets := []string{"Ab3dEf9hIj2kLmN0pQrStUvWxYz", "hunter2", "pw-short", "tok3n", "Qz81abcd"}
	st := newStore(t, store.Options{})
	s := NewServer(st, nil, testKeys)
	ctx := context.Background()
	meta := metaJSON()
	meta["url"] = "https://auth.openai.com/cb?client_secret=hunter2&password=pw-short#access_token=tok3n"
	meta["final_url"] = "https://auth.openai.com/done?code=Qz81abcd&api_key=" + key
	meta["title"] = "ok"
	meta["language"] = "en " + key
	meta["browser_version"] = key
	meta["notes"] = map[string]string{"page_language": "de " + key, key: "v", "frame": "https://x/?token=tok3n"}
	data := []byte(`{}`)
	id := beginMeta(t, s, meta, data)
	if r := call(t, s, "snapshot.chunk", map[string]any{"upload_id": id, "artifact": "settings.json",
		"offset": 0, "data": base64.StdEncoding.EncodeToString(data)}); !r.OK {
		t.Fatalf("chunk: %+v", r.Error)
	}
	if r := call(t, s, "snapshot.commit", map[string]any{"upload_id": id}); !r.OK {
		t.Fatalf("commit: %+v", r.Error)
	}
	if r := call(t, s, "event.log", map[string]any{"type": "warning.shown", "rule_id": "r " + key,
		"url": "https://platform.openai.com/?password=hunter2#token=tok3n"}); !r.OK {
		t.Fatalf("event.log: %+v", r.Error)
	}
	snaps, err := st.ListSnapshots(ctx, store.Filter{})
	if err != nil || len(snaps) != 1 {
		t.Fatalf("snapshots: %v %d", err, len(snaps))
	}
	b, _ := json.Marshal(snaps[0])
	stored := string(b)
	st.Events(ctx, func(e store.Event) error { stored += e.URL + e.RuleID; return nil })
	for _, secret := range secrets {
		if strings.Contains(stored, secret) {
			t.Errorf("secret %q stored: %s", secret, stored)
		}
	}
}

// A URL over 8 KiB in an event is kept (cut, with its hash), not refused:
// the extension used to drop such warnings.
func TestLongEventURLIsKept(t *testing.T) {
	s := NewServer(newStore(t, store.Options{}), nil, testKeys)
	u := "https://platform.openai.com/settings?ref=" + strings.Repeat("r", 9000)
	r := call(t, s, "event.log", map[string]any{"type": "warning.shown", "url": u})
	if !r.OK {
		t.Fatalf("event.log with a 9 KiB URL: %+v", r.Error)
	}
}

// A request id far over the limit gets one short bad_request reply with an
// empty id, on both the plain and the chunk fast path, and the port stays
// open for the next request.
func TestHugeRequestIDGetsAShortReply(t *testing.T) {
	s := NewServer(newStore(t, store.Options{}), nil, testKeys)
	huge := strings.Repeat("i", 1<<20+100)
	var in, out bytes.Buffer
	// nativemsg.Write refuses frames over 1 MB (the browser's limit for
	// host replies); the browser sends up to 64 MiB, framed by hand here.
	send := func(b []byte) {
		binary.Write(&in, binary.NativeEndian, uint32(len(b)))
		in.Write(b)
	}
	send(mustJSON(map[string]any{"id": huge, "type": "hello"}))
	chunk := mustJSON(map[string]any{"id": huge, "type": "snapshot.chunk", "body": map[string]any{"upload_id": "u-1",
		"artifact": "a", "offset": 0, "data": base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 3<<19) /* longest string: the fast path */)}})
	send(chunk)
	send(mustJSON(map[string]any{"id": "ok", "type": "hello"}))
	if err := s.Serve(context.Background(), &in, &out); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	for i := 0; i < 2; i++ {
		frame, err := nativemsg.Read(&out)
		if err != nil {
			t.Fatalf("reply %d: %v", i, err)
		}
		r := decodeReply(t, frame)
		if r.OK || r.ID != "" || r.Error.Code != spec.CodeBadRequest || len(frame) > 300 {
			t.Errorf("reply %d: %s", i, frame)
		}
	}
	frame, err := nativemsg.Read(&out)
	if err != nil {
		t.Fatalf("after a huge id the port closed: %v", err)
	}
	if r := decodeReply(t, frame); !r.OK || r.ID != "ok" {
		t.Errorf("next request: %s", frame)
	}
}
