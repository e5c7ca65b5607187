// Command specgen writes the Go and TypeScript generated from spec/
// (`make generate`). With -out it writes into another folder instead of the
// repository, which is how `make test-generate` checks the checked-in files.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ringfence/ringfence/internal/specgen"
)

func main() {
	root := flag.String("root", ".", "repository root (holds spec/)")
	out := flag.String("out", "", "folder to write into (default: the repository root)")
	flag.Parse()
	dst := *out
	if dst == "" {
		dst = *root
	}
	files, err := specgen.Write(filepath.Join(*root, "spec"), dst)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, f := range files {
		fmt.Println(f)
	}
}
