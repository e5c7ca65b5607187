// Command sqlitehost is the echo host of the start-up benchmark with
// modernc.org/sqlite linked in: it shows how much of the host's start is the
// pure-Go SQLite library being loaded and initialised. With SQLITEHOST_DB
// set it also opens that file as the store does (WAL, synchronous=FULL) and
// reads its counters before the first reply: the least any host answering
// hello with the store's counts must do.
package main

import (
	"database/sql"
	"encoding/binary"
	"fmt"
	"io"
	"os"

	_ "modernc.org/sqlite"
)

func main() {
	reply := []byte(`{"id":"r1","ok":true,"body":{"host_version":"sqlite-echo","protocol_version":1}}`)
	if path := os.Getenv("SQLITEHOST_DB"); path != "" {
		db, err := sql.Open("sqlite", "file:"+path+"?_busy_timeout=5000&_journal_mode=WAL&_synchronous=FULL&_foreign_keys=1")
		if err != nil {
			os.Exit(1)
		}
		defer db.Close()
		var snaps, events, bytes int64
		if err := db.QueryRow(`SELECT (SELECT value FROM counters WHERE name = 'snapshots'),
			(SELECT value FROM counters WHERE name = 'events'), (SELECT value FROM counters WHERE name = 'blob_bytes')`).
			Scan(&snaps, &events, &bytes); err != nil {
			fmt.Fprintln(os.Stderr, "sqlitehost:", err)
			os.Exit(1)
		}
		reply = fmt.Appendf(nil, `{"id":"r1","ok":true,"body":{"host_version":"sqlite-echo","protocol_version":1,"store":{"snapshots":%d,"events":%d,"blob_bytes":%d}}}`,
			snaps, events, bytes)
	}
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
