package main

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDropKeyKeepsOrder(t *testing.T) {
	got, err := dropKey([]byte(`{"key":"abc","manifest_version":3,"name":"x","icons":{"16":"a.png"}}`), "key")
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"manifest_version\": 3,\n  \"name\": \"x\",\n  \"icons\": {\n    \"16\": \"a.png\"\n  }\n}\n"
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if _, err := dropKey([]byte(`[1]`), "key"); err == nil {
		t.Error("a JSON array was accepted as a manifest")
	}
}

// The package's manifests come from the installer's Linux table: the
// browsers' system folders, never one inside a browser's program folder.
func TestSystemManifests(t *testing.T) {
	ms, err := systemManifests("/usr/bin/ringfence")
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for p, data := range ms {
		paths = append(paths, p)
		if !bytes.Contains(data, []byte(`"path": "/usr/bin/ringfence"`)) {
			t.Errorf("%s: %s", p, data)
		}
	}
	slices.Sort(paths)
	want := []string{
		"/etc/chromium/native-messaging-hosts/io.ringfence.host.json",
		"/etc/opt/chrome/native-messaging-hosts/io.ringfence.host.json",
		"/etc/opt/edge/native-messaging-hosts/io.ringfence.host.json",
		"/etc/opt/vivaldi/native-messaging-hosts/io.ringfence.host.json",
		"/usr/lib/mozilla/native-messaging-hosts/io.ringfence.host.json",
	}
	if !slices.Equal(paths, want) {
		t.Errorf("manifests %q, want %q", paths, want)
	}
}

// Same entries in any order and at any time → the same bytes.
func TestZipIsReproducible(t *testing.T) {
	dir := t.TempDir()
	epoch := time.Unix(1767225600, 0).UTC()
	es := []entry{{"b/x.txt", 0o644, []byte("x")}, {"a.txt", 0o755, []byte("a")}}
	one, two := filepath.Join(dir, "1.zip"), filepath.Join(dir, "2.zip")
	if err := writeZip(one, es, epoch); err != nil {
		t.Fatal(err)
	}
	slices.Reverse(es)
	if err := writeZip(two, es, epoch); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(one)
	b, _ := os.ReadFile(two)
	if !bytes.Equal(a, b) {
		t.Fatal("entry order changed the zip")
	}
	zr, err := zip.NewReader(bytes.NewReader(a), int64(len(a)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if !f.Modified.Equal(epoch) {
			t.Errorf("%s: mtime %v", f.Name, f.Modified)
		}
	}
	if strings.Join(names, ",") != "a.txt,b/x.txt" {
		t.Errorf("entries %v, want sorted", names)
	}
}
