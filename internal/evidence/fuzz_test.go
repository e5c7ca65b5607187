package evidence

import (
	"bytes"
	"context"
	"testing"
)

// FuzzVerify feeds mangled kits and WACZs to Verify: it may report problems
// or refuse the file, never panic or accept a changed kit as the original.
func FuzzVerify(f *testing.F) {
	kit := writeTestKit(f, demoSource(f), Filter{})
	f.Add(kit)
	f.Add(writeTestWACZ(f, demoSource(f)))
	f.Add([]byte("PK\x05\x06" + string(make([]byte, 18))))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, _, err := Verify(context.Background(), bytes.NewReader(b), int64(len(b)))
		if err != nil || v == nil {
			return
		}
		for _, p := range v.Problems {
			if p.File == "" || p.Message == "" {
				t.Fatalf("problem without file or message: %+v", p)
			}
		}
	})
}
