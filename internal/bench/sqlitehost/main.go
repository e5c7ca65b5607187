// Command sqlitehost is the echo host of the start-up benchmark with
// modernc.org/sqlite linked in and nothing else: it shows how much of the
// host's start is the pure-Go SQLite library being loaded and initialised.
package main

import (
	"encoding/binary"
	"io"
	"os"

	_ "modernc.org/sqlite"
)

func main() {
	reply := []byte(`{"id":"r1","ok":true,"body":{"host_version":"sqlite-echo","protocol_version":1}}`)
	var hdr [4]byte
	for {
		if _, err := io.ReadFull(os.Stdin, hdr[:]); err != nil {
			return
		}
		buf := make([]byte, binary.LittleEndian.Uint32(hdr[:]))
		if _, err := io.ReadFull(os.Stdin, buf); err != nil {
			return
		}
		out := make([]byte, 4+len(reply))
		binary.LittleEndian.PutUint32(out, uint32(len(reply)))
		copy(out[4:], reply)
		os.Stdout.Write(out)
	}
}
