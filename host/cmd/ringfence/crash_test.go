package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/ringfence/ringfence/internal/protocol"
	"github.com/ringfence/ringfence/internal/store"
)

// checkStore asserts the invariants after any number of crashes: integrity
// ok, every acknowledged snapshot present with every artifact readable and
// matching its hash, and no visible snapshot that was not fully written.
func checkStore(t *testing.T, home string, acked map[string]bool, expected map[string]string) {
	t.Helper()
	ctx := context.Background()
	st := openStore(t, home)
	if res, err := st.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Fatalf("integrity_check: %q %v", res, err)
	}
	snaps, err := st.ListSnapshots(ctx, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	visible := map[string]bool{}
	for _, s := range snaps {
		visible[s.ID] = true
		if len(s.Artifacts) != 2 {
			t.Errorf("snapshot %s has %d artifacts, want 2", s.ID, len(s.Artifacts))
		}
		for _, a := range s.Artifacts {
			r, err := st.OpenArtifact(ctx, s.ID, a.Name)
			if err != nil {
				t.Errorf("%s/%s: %v", s.ID, a.Name, err)
				continue
			}
			b, err := io.ReadAll(r)
			r.Close()
			if err != nil || sha(b) != a.SHA256 || int64(len(b)) != a.Size {
				t.Errorf("%s/%s is not intact: %v", s.ID, a.Name, err)
			}
			if want, ok := expected[s.Title+"/"+a.Name]; ok && want != a.SHA256 {
				t.Errorf("%s/%s holds other bytes than were sent", s.ID, a.Name)
			}
		}
	}
	for id := range acked {
		if !visible[id] {
			t.Errorf("acknowledged snapshot %s is missing", id)
		}
	}
}

// TestCrashSafety SIGKILLs a host at random points of a snapshot stream,
// 20 times, against one data folder.
func TestCrashSafety(t *testing.T) {
	home := t.TempDir()
	acked := map[string]bool{}
	expected := map[string]string{}
	rng := mrand.New(mrand.NewPCG(1, uint64(time.Now().UnixNano())))
	for round := 0; round < 20; round++ {
		h := startHost(t, home, chromeArgs()...)
		if err := h.Must("hello", nil, nil); err != nil {
			t.Fatalf("round %d hello: %v\n%s", round, err, h.stderr)
		}
		var mu sync.Mutex
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i := 0; ; i++ {
				title := fmt.Sprintf("r%d-%d", round, i)
				shot, dom := randBytes(200_000+rng.IntN(300_000)), randBytes(50_000)
				mu.Lock()
				expected[title+"/shot.png"], expected[title+"/dom.html"] = sha(shot), sha(dom)
				mu.Unlock()
				res, err := h.UploadSnapshot(context.Background(), testMeta(title), []protocol.Artifact{
					{Name: "shot.png", MIME: "image/png", Data: shot}, {Name: "dom.html", MIME: "text/html", Data: dom}}, 64<<10)
				if err != nil {
					return // killed
				}
				mu.Lock()
				acked[res.SnapshotID] = true
				mu.Unlock()
			}
		}()
		time.Sleep(time.Duration(rng.IntN(400)) * time.Millisecond)
		h.cmd.Process.Kill()
		h.cmd.Wait()
		<-done
	}
	if len(acked) == 0 {
		t.Fatal("no snapshot was acknowledged in 20 rounds; the test proves nothing")
	}
	checkStore(t, home, acked, expected)
	t.Logf("%d snapshots acknowledged across 20 kills", len(acked))
}

// TestConcurrentHosts: four host processes (two browsers, two profiles)
// each store 50 snapshots while a CLI keeps listing.
func TestConcurrentHosts(t *testing.T) {
	home := t.TempDir()
	const hosts, each = 4, 50
	var wg sync.WaitGroup
	errs := make(chan error, hosts*each+100)
	var mu sync.Mutex
	acked := map[string]bool{}
	expected := map[string]string{}
	for p := 0; p < hosts; p++ {
		args := chromeArgs()
		if p%2 == 1 {
			args = firefoxArgs(t)
		}
		h := startHost(t, home, args...)
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				title := fmt.Sprintf("h%d-%d", p, i)
				shot, dom := randBytes(30_000), []byte(fmt.Sprintf("<p>%s</p>", title))
				mu.Lock()
				expected[title+"/shot.png"], expected[title+"/dom.html"] = sha(shot), sha(dom)
				mu.Unlock()
				res, err := h.UploadSnapshot(context.Background(), testMeta(title), []protocol.Artifact{
					{Name: "shot.png", MIME: "image/png", Data: shot}, {Name: "dom.html", MIME: "text/html", Data: dom}}, 16<<10)
				if err != nil {
					errs <- fmt.Errorf("host %d snapshot %d: %v\n%s", p, i, err, h.stderr)
					return
				}
				if err := h.Must("event.log", map[string]any{"type": "snapshot.stored", "detail": map[string]string{"id": res.SnapshotID}}, nil); err != nil {
					errs <- fmt.Errorf("host %d event %d: %v", p, i, err)
				}
				mu.Lock()
				acked[res.SnapshotID] = true
				mu.Unlock()
			}
			if code := h.close(t); code != 0 {
				errs <- fmt.Errorf("host %d exited %d: %s", p, code, h.stderr)
			}
		}(p)
	}
	stop := make(chan struct{})
	readerDone := make(chan int)
	go func() {
		reads := 0
		for {
			select {
			case <-stop:
				readerDone <- reads
				return
			default:
			}
			cmd := exec.Command(binPath, "list", "--json")
			cmd.Env = hostEnv(home)
			out, err := cmd.CombinedOutput()
			var snaps []store.Snapshot
			if err != nil || json.Unmarshal(out, &snaps) != nil {
				errs <- fmt.Errorf("reader: %v: %s", err, out)
			}
			reads++
		}
	}()
	wg.Wait()
	close(stop)
	reads := <-readerDone
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(acked) != hosts*each {
		t.Fatalf("%d snapshots acknowledged, want %d", len(acked), hosts*each)
	}
	checkStore(t, home, acked, expected)
	st := openStore(t, home)
	stats, _ := st.Stats(context.Background())
	if stats.Snapshots != hosts*each || stats.Events != hosts*each {
		t.Errorf("stats %+v", stats)
	}
	if bad, err := st.VerifyChain(context.Background()); bad != 0 || err != nil {
		t.Errorf("event chain broken at %d: %v", bad, err)
	}
	t.Logf("reader listed %d times meanwhile", reads)
}
