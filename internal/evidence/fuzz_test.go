package evidence

import (
	"archive/zip"
	"bytes"
	"context"
	"strings"
	"testing"
)

// FuzzVerify feeds mangled kits and WACZs to Verify: it may report problems
// or refuse the file, never panic or accept a changed kit as the original.
func FuzzVerify(f *testing.F) {
	kit := writeTestKit(f, demoSource(f), Filter{})
	f.Add(kit)
	f.Add(writeTestWACZ(f, demoSource(f)))
	f.Add([]byte("PK\x05\x06" + string(make([]byte, 18))))
	f.Add(emptyNameZip(f))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, _, err := Verify(context.Background(), bytes.NewReader(b), int64(len(b)))
		if err != nil || v == nil {
			return
		}
		for _, p := range v.Problems {
			if p.File == "" || p.Message == "" || strings.ContainsAny(p.File, "\n\r") {
				t.Fatalf("problem without file or message: %+v", p)
			}
		}
	})
}

// emptyNameZip is a kit-like zip with entries named "" and "x\nOK: forged line".
func emptyNameZip(t testing.TB) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, name := range []string{"manifest.json", "", "x\nOK: forged line"} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("data"))
	}
	zw.Close()
	return b.Bytes()
}

// What FuzzVerify found (-fuzzminimizetime=0, under a minute): a zip entry
// with an empty name gave a problem line that named no file.
func TestVerifyNamesOddEntries(t *testing.T) {
	b := emptyNameZip(t)
	v, _, err := Verify(context.Background(), bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Problems) == 0 {
		t.Fatal("no problems reported")
	}
	for _, p := range v.Problems {
		if p.File == "" || strings.ContainsAny(p.File, "\n\r") {
			t.Errorf("problem names no file, or a file with a line break: %+v", p)
		}
	}
}
