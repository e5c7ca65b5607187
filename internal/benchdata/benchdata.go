// Package benchdata makes the payloads the benchmarks store, so the store's
// Go benchmarks and the end-to-end bench command measure the same bytes.
package benchdata

import (
	"crypto/rand"
	"fmt"
	"strings"
)

// Snapshot returns a capture's two large artifacts: a 1.6 MB incompressible
// "screenshot" and a 400 KB DOM of settings rows. The bytes are fresh random
// on every call, so nothing deduplicates.
func Snapshot() (shot, dom []byte) {
	shot = make([]byte, 1600<<10)
	rand.Read(shot)
	word := make([]byte, 8)
	var b strings.Builder
	for b.Len() < 400<<10 {
		rand.Read(word)
		fmt.Fprintf(&b, "<div class=\"row\"><label>%x</label><input type=checkbox checked></div>\n", word)
	}
	return shot, []byte(b.String())
}
