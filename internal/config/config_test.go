package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestReadEncode(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, content string
		write         bool
		ids           []string
		err           string
	}{
		{name: "missing"},
		{name: "empty", content: "  \n", write: true},
		{name: "ids and others", content: `{"allowed_extension_ids":["abcdefghijklmnopabcdefghijklmnop"],"other":1}`, write: true, ids: []string{"abcdefghijklmnopabcdefghijklmnop"}},
		{name: "not an object", content: `[1]`, write: true, err: "not a JSON object"},
		{name: "broken", content: `{`, write: true, err: "not a JSON object"},
		{name: "wrong list", content: `{"allowed_extension_ids":"x"}`, write: true, err: "must be a list of strings"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := filepath.Join(dir, tc.name)
			if tc.write {
				if err := os.MkdirAll(home, 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(Path(home), []byte(tc.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			f, err := Load(home)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || !slices.Equal(f.Allowed, tc.ids) || f.Exists != tc.write {
				t.Fatalf("Load = %+v, %v", f, err)
			}
		})
	}
}

func TestEncodeKeepsOtherFields(t *testing.T) {
	home := t.TempDir()
	if err := os.WriteFile(Path(home), []byte(`{"other":{"a":1},"allowed_extension_ids":["x@y"]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Load(home)
	if err != nil {
		t.Fatal(err)
	}
	f.Allowed = append(f.Allowed, "abcdefghijklmnopabcdefghijklmnop")
	b, err := f.Encode()
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"allowed_extension_ids\": [\n    \"x@y\",\n    \"abcdefghijklmnopabcdefghijklmnop\"\n  ],\n  \"other\": {\n    \"a\": 1\n  }\n}\n"
	if string(b) != want {
		t.Errorf("got\n%s\nwant\n%s", b, want)
	}
	f.Allowed = nil
	if b, _ := f.Encode(); string(b) != "{\n  \"other\": {\n    \"a\": 1\n  }\n}\n" {
		t.Errorf("empty list kept: %s", b)
	}
}
