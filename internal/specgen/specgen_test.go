package specgen

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// repoRoot is the repository this test runs in (two folders up).
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "spec", "protocol.json")); err != nil {
		t.Fatalf("no spec/ at %s: %v", root, err)
	}
	return root
}

// TestCheckedInIsCurrent: the checked-in generated files are what spec/ gives
// (the same check as make test-generate, inside go test).
func TestCheckedInIsCurrent(t *testing.T) {
	root := repoRoot(t)
	s, err := Load(filepath.Join(root, "spec"))
	if err != nil {
		t.Fatal(err)
	}
	files, err := Generate(s)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is stale (or missing: %v); run make generate", name, err)
		}
	}
	gen, _ := filepath.Glob(filepath.Join(root, GoDir, "*_gen.go"))
	for _, g := range gen {
		rel, _ := filepath.Rel(root, g)
		if _, ok := files[filepath.ToSlash(rel)]; !ok {
			t.Errorf("%s is no longer generated: delete it", rel)
		}
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	root := repoRoot(t)
	var first map[string][]byte
	for i := 0; i < 3; i++ {
		s, err := Load(filepath.Join(root, "spec"))
		if err != nil {
			t.Fatal(err)
		}
		files, err := Generate(s)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = files
			continue
		}
		for name, b := range files {
			if !bytes.Equal(b, first[name]) {
				t.Errorf("run %d wrote a different %s", i, name)
			}
		}
	}
}

func TestPascal(t *testing.T) {
	for in, want := range map[string]string{"snapshot.begin": "SnapshotBegin", "upload_id": "UploadID", "api-keys": "APIKeys",
		"sha256": "SHA256", "tz_offset_minutes": "TZOffsetMinutes", "settings.json": "SettingsJSON"} {
		if got := Pascal(in); got != want {
			t.Errorf("Pascal(%q) = %q, want %q", in, got, want)
		}
	}
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// tool finds a program the test needs, or fails saying how to get it: this
// test proves the recipe in docs/architecture.md and must not be skipped.
func tool(t *testing.T, name, hint string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is missing (%v); %s", name, err, hint)
	}
	return p
}

// TestNewMessageTypeBuildsBothSides follows docs/architecture.md's recipe in a
// scratch copy: one schema entry in spec/protocol.json, regenerate, one Go
// handler and one TypeScript call site. Both sides must build, and a
// misspelt body field must not.
func TestNewMessageTypeBuildsBothSides(t *testing.T) {
	root := repoRoot(t)
	goBin := tool(t, "go", "install Go (it is running this test, so put it on PATH)")
	node := tool(t, "node", "install Node.js (make deps)")
	tsc := filepath.Join(root, "extension", "node_modules", "tsgo", "bin", "tsc")
	if _, err := os.Stat(tsc); err != nil {
		t.Fatalf("TypeScript is missing at %s (%v); run make extension/node_modules/.stamp", tsc, err)
	}

	tmp := t.TempDir()
	copyTree(t, filepath.Join(root, "spec"), filepath.Join(tmp, "spec"))
	for _, f := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(tmp, f), string(b))
	}
	// The hand-written part of internal/spec (doc, Time); the rest is generated below.
	hand, _ := filepath.Glob(filepath.Join(root, GoDir, "*.go"))
	for _, f := range hand {
		if strings.HasSuffix(f, "_gen.go") || strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, _ := os.ReadFile(f)
		write(t, filepath.Join(tmp, GoDir, filepath.Base(f)), string(b))
	}
	tsconfig, err := os.ReadFile(filepath.Join(root, "extension", "tsconfig.json"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(tmp, "extension", "tsconfig.json"), string(tsconfig))
	if err := os.Symlink(filepath.Join(root, "extension", "node_modules"), filepath.Join(tmp, "extension", "node_modules")); err != nil {
		t.Fatal(err)
	}

	// 1. One schema entry.
	protoPath := filepath.Join(tmp, "spec", "protocol.json")
	var proto map[string]any
	b, _ := os.ReadFile(protoPath)
	if err := json.Unmarshal(b, &proto); err != nil {
		t.Fatal(err)
	}
	proto["messages"].(map[string]any)["throwaway.ping"] = map[string]any{
		"description": "A message type added by a test.",
		"request": map[string]any{"type": "object", "required": []string{"text"},
			"properties": map[string]any{"text": map[string]any{"type": "string"}}},
		"reply": map[string]any{"type": "object", "required": []string{"echo", "at"},
			"properties": map[string]any{"echo": map[string]any{"type": "string"}, "at": map[string]any{"type": "string", "format": "date-time"}}},
	}
	b, _ = json.MarshalIndent(proto, "", "  ")
	write(t, protoPath, string(b))

	// 2. make generate.
	if _, err := Write(filepath.Join(tmp, "spec"), tmp); err != nil {
		t.Fatal(err)
	}

	// 3. One Go handler, built with the generated package.
	write(t, filepath.Join(tmp, "host", "cmd", "throwaway", "main.go"), `package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/ringfence/ringfence/internal/spec"
)

func ping(body json.RawMessage) (any, error) {
	var req spec.ThrowawayPingRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, err
	}
	return spec.ThrowawayPingReply{Echo: req.Text, At: spec.Time{Time: time.Now()}}, nil
}

func main() {
	routes := map[string]func(json.RawMessage) (any, error){spec.MsgThrowawayPing: ping}
	rep, err := routes[spec.MsgThrowawayPing](json.RawMessage(`+"`"+`{"text":"hi"}`+"`"+`))
	fmt.Println(rep, err)
}
`)
	cmd := exec.Command(goBin, "build", "-o", os.DevNull, "./internal/spec", "./host/cmd/throwaway")
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	// 4. One TypeScript call site, type-checked with the extension's tsconfig.
	site := func(body string) string {
		return `import type { HostRequests, HostRequestType } from './shared/spec.gen';
declare function request<T extends HostRequestType>(type: T, body: HostRequests[T]['request']): Promise<HostRequests[T]['reply']>;
export async function ping(): Promise<string> {
  const r = await request('throwaway.ping', ` + body + `);
  return r.echo + r.at;
}
`
	}
	tscRun := func() ([]byte, error) {
		c := exec.Command(node, tsc, "--noEmit", "-p", filepath.Join(tmp, "extension"))
		c.Dir = filepath.Join(tmp, "extension")
		return c.CombinedOutput()
	}
	write(t, filepath.Join(tmp, "extension", "src", "throwaway.ts"), site(`{ text: 'hi' }`))
	if out, err := tscRun(); err != nil {
		t.Fatalf("tsc over the generated TypeScript and the call site: %v\n%s", err, out)
	}
	write(t, filepath.Join(tmp, "extension", "src", "throwaway.ts"), site(`{ txet: 'hi' }`))
	out, err := tscRun()
	if err == nil || !strings.Contains(string(out), "txet") {
		t.Fatalf("a misspelt field compiled (err %v):\n%s", err, out)
	}
}

// TestProtocolDocCoversSpec: docs/protocol.md explains every message type
// and error code spec/protocol.json defines (a heading per type, a table row
// per code), so the explanation cannot silently fall behind the owner.
func TestProtocolDocCoversSpec(t *testing.T) {
	root := repoRoot(t)
	s, err := Load(filepath.Join(root, "spec"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join(root, "docs", "protocol.md"))
	if err != nil {
		t.Fatal(err)
	}
	for name := range s.Protocol.Messages {
		if !strings.Contains(string(doc), "\n### `"+name+"`\n") {
			t.Errorf("docs/protocol.md has no \"### `%s`\" section", name)
		}
	}
	for _, e := range s.Protocol.Errors {
		if !strings.Contains(string(doc), "\n| `"+e.Code+"` |") {
			t.Errorf("docs/protocol.md's error table has no row for %s", e.Code)
		}
	}
}
