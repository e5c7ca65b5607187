// Command dist writes the release files into one folder (`make dist`,
// docs/install.md "Packages"): a host archive per OS/arch, the Debian
// package, the Chrome Web Store zip, the Firefox .xpi and SHA256SUMS.
//
// Every output is reproducible: entries sorted, owners 0/root, every mtime
// the -epoch (SOURCE_DATE_EPOCH, the last commit's time), fixed
// compression. The Makefile builds the binaries (-trimpath) and runs
// `web-ext build`; this program only packs, so the same inputs give the
// same bytes (scripts/test-dist.sh builds twice and compares).
//
// It is its own module so nfpm's dependencies stay out of the host's
// go.mod; it imports the installer for the browsers' system-wide folders.
package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goreleaser/nfpm/v2"
	_ "github.com/goreleaser/nfpm/v2/deb" // registers the deb packager
	"github.com/goreleaser/nfpm/v2/files"

	"github.com/ringfence/ringfence/installer"
)

// Targets are the OS/arch pairs a host archive is made for.
var Targets = []string{"linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64", "windows/amd64"}

// DebArchs are the architectures a .deb is made for.
var DebArchs = []string{"amd64", "arm64"}

type opts struct {
	version string
	root    string // repository root: README.md, LICENSE
	bins    string // <bins>/<os>_<arch>/ringfence[.exe]
	chrome  string // built extension for Chromium (dist/chrome)
	xpi     string // web-ext build's output
	out     string
	epoch   time.Time
}

func main() {
	var o opts
	var epoch int64
	flag.StringVar(&o.version, "version", "", "release version (0.1.0)")
	flag.StringVar(&o.root, "root", ".", "repository root")
	flag.StringVar(&o.bins, "bins", "dist/build", "folder of <os>_<arch>/ringfence binaries")
	flag.StringVar(&o.chrome, "chrome", "dist/chrome", "the built Chromium extension")
	flag.StringVar(&o.xpi, "xpi", "", "the .xpi web-ext build wrote")
	flag.StringVar(&o.out, "out", "dist/release", "output folder (emptied first)")
	flag.Int64Var(&epoch, "epoch", 0, "mtime of every entry, seconds since 1970 (SOURCE_DATE_EPOCH)")
	flag.Parse()
	if o.version == "" || o.xpi == "" || epoch <= 0 {
		fmt.Fprintln(os.Stderr, "usage: dist -version V -epoch SECONDS -xpi FILE [-root . -bins dist/build -chrome dist/chrome -out dist/release]")
		os.Exit(2)
	}
	o.epoch = time.Unix(epoch, 0).UTC()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "dist:", err)
		os.Exit(1)
	}
}

func run(o opts) error {
	if err := os.RemoveAll(o.out); err != nil {
		return fmt.Errorf("empty %s: %w", o.out, err)
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", o.out, err)
	}
	readme, err := os.ReadFile(filepath.Join(o.root, "README.md"))
	if err != nil {
		return fmt.Errorf("read README: %w", err)
	}
	license, err := os.ReadFile(filepath.Join(o.root, "LICENSE"))
	if err != nil {
		return fmt.Errorf("read LICENSE: %w", err)
	}
	for _, t := range Targets {
		goos, arch, _ := strings.Cut(t, "/")
		if err := hostArchive(o, goos, arch, readme, license); err != nil {
			return err
		}
	}
	for _, arch := range DebArchs {
		if err := debPackage(o, arch, readme, license); err != nil {
			return err
		}
	}
	if err := chromeStoreZip(o); err != nil {
		return err
	}
	if err := repackXPI(o); err != nil {
		return err
	}
	return sha256sums(o.out)
}

// entry is one file of an archive.
type entry struct {
	name string
	mode os.FileMode
	data []byte
}

func hostArchive(o opts, goos, arch string, readme, license []byte) error {
	exe := "ringfence"
	if goos == "windows" {
		exe += ".exe"
	}
	bin, err := os.ReadFile(filepath.Join(o.bins, goos+"_"+arch, exe))
	if err != nil {
		return fmt.Errorf("host binary for %s/%s: %w", goos, arch, err)
	}
	base := fmt.Sprintf("ringfence_%s_%s_%s", o.version, goos, arch)
	es := []entry{
		{base + "/" + exe, 0o755, bin},
		{base + "/README.md", 0o644, readme},
		{base + "/LICENSE", 0o644, license},
		{base + "/INSTALL.txt", 0o644, []byte(installText(goos, exe))},
	}
	if goos == "windows" {
		return writeZip(filepath.Join(o.out, base+".zip"), es, o.epoch)
	}
	return writeTarGz(filepath.Join(o.out, base+".tar.gz"), es, o.epoch)
}

// installText is the archive's INSTALL.txt: the commands a user runs.
func installText(goos, exe string) string {
	run := "./" + exe
	unpack := "tar xzf ringfence_*_" + goos + "_*.tar.gz && cd ringfence_*/"
	if goos == "windows" {
		run = `.\` + exe
		unpack = "Extract the zip, open PowerShell in the extracted folder"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Ringfence host (%s)\n\n", goos)
	fmt.Fprintf(&b, "1. Unpack:\n     %s\n\n", unpack)
	fmt.Fprintf(&b, "2. Register the host with every browser you use:\n     %s install\n", run)
	b.WriteString("   It copies itself into Ringfence's data folder, writes each browser's\n" +
		"   native-messaging manifest (on Windows: the registry keys)")
	if goos != "windows" {
		b.WriteString(", and links\n   ~/.local/bin/ringfence when that folder is on PATH (otherwise it prints\n   the full path to use)")
	}
	b.WriteString(". This folder can be deleted afterwards.\n\n")
	b.WriteString("3. Add the Ringfence extension to the browser (store listing, or the\n" +
		"   .xpi / Chrome zip of the same release; see README.md).\n\n")
	fmt.Fprintf(&b, "4. Check:\n     %s doctor\n\n", run)
	fmt.Fprintf(&b, "Remove: `%s uninstall` removes exactly what install wrote (after install,\n"+
		"`ringfence` on PATH, or the full path install printed, works too); `uninstall --purge`\n"+
		"also deletes your snapshots and keys (it asks first).\n", run)
	b.WriteString("Every place a browser looks: docs/install.md in the source repository.\n")
	return b.String()
}

func writeTarGz(dst string, es []entry, mtime time.Time) error {
	var buf bytes.Buffer
	gz, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	gz.ModTime = mtime // the header's own timestamp, else "now"
	tw := tar.NewWriter(gz)
	es = sorted(es)
	dirs := map[string]bool{}
	for _, e := range es {
		if d := path.Dir(e.name); d != "." && !dirs[d] {
			dirs[d] = true
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755, ModTime: mtime, Uname: "root", Gname: "root", Format: tar.FormatPAX}); err != nil {
				return err
			}
		}
		h := &tar.Header{Typeflag: tar.TypeReg, Name: e.name, Mode: int64(e.mode), Size: int64(len(e.data)), ModTime: mtime, Uname: "root", Gname: "root", Format: tar.FormatPAX}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if _, err := tw.Write(e.data); err != nil {
			return err
		}
	}
	if err := errors.Join(tw.Close(), gz.Close()); err != nil {
		return fmt.Errorf("pack %s: %w", dst, err)
	}
	return writeOut(dst, buf.Bytes())
}

func writeZip(dst string, es []entry, mtime time.Time) error {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	for _, e := range sorted(es) {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: mtime}
		h.SetMode(e.mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if _, err := w.Write(e.data); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("pack %s: %w", dst, err)
	}
	return writeOut(dst, buf.Bytes())
}

func sorted(es []entry) []entry {
	es = slices.Clone(es)
	slices.SortFunc(es, func(a, b entry) int { return strings.Compare(a.name, b.name) })
	return es
}

func writeOut(dst string, data []byte) error {
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", dst, err)
	}
	fmt.Println("wrote", dst)
	return nil
}

// systemManifests are the system-wide manifests the package installs, from
// the installer's Linux table: every browser's system folder pointing at
// the packaged binary, one file per folder (Brave shares Chrome's). Left
// out: blocked rows (Opera documents no system folder) and folders inside a
// browser's own program folder (LibreWolf, Waterfox), which the package
// would otherwise create and make that browser look installed.
func systemManifests(binary string) (map[string][]byte, error) {
	locs, err := installer.Locations(installer.Env{GOOS: "linux"}, true)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, l := range locs {
		inside := slices.ContainsFunc(l.Detect, func(d string) bool { return strings.HasPrefix(l.Manifest, d+"/") })
		if l.Blocked != "" || inside {
			continue
		}
		out[l.Manifest] = installer.BuildManifest(l.Family, binary, nil).Encode()
	}
	return out, nil
}

func debPackage(o opts, arch string, readme, license []byte) error {
	const binary = "/usr/bin/ringfence"
	stage, err := os.MkdirTemp("", "ringfence-deb-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(stage)
	manifests, err := systemManifests(binary)
	if err != nil {
		return err
	}
	file := func(dst string, mode os.FileMode, data []byte) (*files.Content, error) {
		src := filepath.Join(stage, filepath.FromSlash(dst))
		if err := os.MkdirAll(filepath.Dir(src), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(src, data, mode); err != nil {
			return nil, err
		}
		return &files.Content{Source: src, Destination: dst,
			FileInfo: &files.ContentFileInfo{Owner: "root", Group: "root", Mode: mode, MTime: o.epoch}}, nil
	}
	bin, err := os.ReadFile(filepath.Join(o.bins, "linux_"+arch, "ringfence"))
	if err != nil {
		return fmt.Errorf("host binary for linux/%s: %w", arch, err)
	}
	type want struct {
		dst  string
		mode os.FileMode
		data []byte
	}
	wants := []want{
		{binary, 0o755, bin},
		{"/usr/share/doc/ringfence/README.md", 0o644, readme},
		{"/usr/share/doc/ringfence/copyright", 0o644, license},
	}
	for p, data := range manifests {
		wants = append(wants, want{p, 0o644, data})
	}
	slices.SortFunc(wants, func(a, b want) int { return strings.Compare(a.dst, b.dst) })
	var contents files.Contents
	for _, w := range wants {
		c, err := file(w.dst, w.mode, w.data)
		if err != nil {
			return err
		}
		contents = append(contents, c)
	}
	info := nfpm.WithDefaults(&nfpm.Info{
		Name:       "ringfence",
		Arch:       arch,
		Platform:   "linux",
		Version:    o.version,
		Section:    "utils",
		Priority:   "optional",
		Maintainer: "Ringfence developers <ringfence@ringfence.io>",
		Description: "Ringfence native messaging host (local evidence store)\n" +
			"Warnings before destructive actions on OpenAI account settings pages,\n" +
			"local encrypted snapshots and signed evidence kits. This package installs\n" +
			"the host and registers it system-wide with Chrome, Chromium, Edge, Brave,\n" +
			"Vivaldi and Firefox; add the Ringfence extension to the browser.",
		License:      "Apache-2.0",
		MTime:        o.epoch,
		Overridables: nfpm.Overridables{Contents: contents},
	})
	if err := nfpm.PrepareForPackager(info, "deb"); err != nil {
		return fmt.Errorf("deb %s: %w", arch, err)
	}
	p, err := nfpm.Get("deb")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := p.Package(info, &buf); err != nil {
		return fmt.Errorf("deb %s: %w", arch, err)
	}
	return writeOut(filepath.Join(o.out, fmt.Sprintf("ringfence_%s_%s.deb", o.version, arch)), buf.Bytes())
}

// readTree reads every file under dir as archive entries named by their
// slash path relative to dir.
func readTree(dir string) ([]entry, error) {
	var es []entry
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		es = append(es, entry{filepath.ToSlash(rel), 0o644, data})
		return nil
	})
	return es, err
}

// chromeStoreZip is dist/chrome without the manifest's "key": the store
// assigns the id, and uploads carrying a key are rejected.
func chromeStoreZip(o opts) error {
	es, err := readTree(o.chrome)
	if err != nil {
		return fmt.Errorf("read %s: %w", o.chrome, err)
	}
	found := false
	for i, e := range es {
		if e.name != "manifest.json" {
			continue
		}
		found = true
		if es[i].data, err = dropKey(e.data, "key"); err != nil {
			return fmt.Errorf("%s/manifest.json: %w", o.chrome, err)
		}
	}
	if !found {
		return fmt.Errorf("%s has no manifest.json (run make extension)", o.chrome)
	}
	return writeZip(filepath.Join(o.out, "ringfence-chrome-"+o.version+".zip"), es, o.epoch)
}

// dropKey removes a top-level member of a JSON object, keeping the other
// members in their order.
func dropKey(doc []byte, key string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object")
	}
	var b bytes.Buffer
	b.WriteByte('{')
	n := 0
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		if k == key {
			continue
		}
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		b.WriteString(strconv.Quote(k))
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	var out bytes.Buffer
	if err := json.Indent(&out, b.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// repackXPI rewrites web-ext build's zip with sorted entries and fixed
// times: web-ext stamps every entry with the build time, in the order its
// parallel reads finish.
func repackXPI(o opts) error {
	zr, err := zip.OpenReader(o.xpi)
	if err != nil {
		return fmt.Errorf("open %s: %w", o.xpi, err)
	}
	defer zr.Close()
	var es []entry
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return fmt.Errorf("%s: %s: %w", o.xpi, f.Name, err)
		}
		es = append(es, entry{f.Name, 0o644, data})
	}
	return writeZip(filepath.Join(o.out, "ringfence-firefox-"+o.version+".xpi"), es, o.epoch)
}

// sha256sums writes SHA256SUMS over every file in dir, in `sha256sum -c`
// format, sorted by name.
func sha256sums(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, e := range ents { // ReadDir sorts by name
		if e.IsDir() || e.Name() == "SHA256SUMS" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		fmt.Fprintf(&b, "%s  %s\n", hex.EncodeToString(sum[:]), e.Name())
	}
	return writeOut(filepath.Join(dir, "SHA256SUMS"), []byte(b.String()))
}
