package evidence

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
)

// The report is index.html: one self-contained page with inline CSS, no
// script and no network. Snapshot sections and event rows are rendered as they
// stream past into spill files, then stitched in after the checklist and
// timeline, so the report's memory does not grow with the artifacts.

type artifactView struct {
	Artifact
	Path string
}

type snapshotView struct {
	Snapshot
	Dir         string
	Artifacts   []artifactView
	Screenshot  string
	Thumb       string
	Settings    []SettingRow
	HasSettings bool
	SettingsErr string
}

type reportHead struct {
	CreatedAt   time.Time
	HostVersion string
	Filter      Filter
	Snapshots   int
	Chain       EventChain
	Key         SigningKey
	Checklist   []ChecklistItem
	Audit       *KitAudit // the latest completed guided audit, listed under the checklist
	Timeline    []timelineEntry
	WACZ        bool // the report inside a WACZ (no artifact links; other verify recipe)

	// Gathered from the snapshots as they stream past (small sets).
	Accounts     []string
	Browsers     []string
	Extensions   []string
	Offsets      []int
	Redacted     []redactionTotal
	First, Last  time.Time
	OS, ExportTZ string
}

type redactionTotal struct {
	Rule  string
	Count int
}

type timelineEntry struct {
	At     time.Time
	Kind   string // "snapshot" or "event"
	Anchor string
	Title  string // snapshot: page title; event: ""
	Event  string // event type (worded by the template)
	Rule   string // rule id (worded by the template)
	Cat    string // snapshot category
	URL    string
	Class  string
}

type report struct {
	lang          string
	snaps, events *os.File
	sw, ew        *bufio.Writer
	timeline      []timelineEntry

	accounts, browsers, extensions setOf
	offsets                        map[int]bool
	redacted                       map[string]int
	first, last                    time.Time

	wantPDF bool      // also keep what the PDF shows of each snapshot
	pdf     []pdfSnap // (small: see pdfSnapOf)
}

// setOf keeps up to maxSet distinct strings in first-seen order.
type setOf struct {
	list []string
	seen map[string]bool
}

const maxSet = 8

func (s *setOf) add(v string) {
	if v == "" || s.seen[v] || len(s.list) >= maxSet {
		return
	}
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	s.seen[v] = true
	s.list = append(s.list, v)
}

func newReport(dir, lang string) (*report, error) {
	s, err := tempFile(dir, "report-snaps")
	if err != nil {
		return nil, err
	}
	e, err := tempFile(dir, "report-events")
	if err != nil {
		s.Close()
		os.Remove(s.Name())
		return nil, err
	}
	return &report{lang: Lang(lang), snaps: s, events: e, sw: bufio.NewWriter(s), ew: bufio.NewWriter(e),
		offsets: map[int]bool{}, redacted: map[string]int{}}, nil
}

func (r *report) cleanup() {
	for _, f := range []*os.File{r.snaps, r.events} {
		f.Close()
		os.Remove(f.Name())
	}
}

func (r *report) addSnapshot(v snapshotView) error {
	r.timeline = append(r.timeline, timelineEntry{
		At: v.CapturedAt, Kind: "snapshot", Anchor: "snap-" + v.ID,
		Title: pageTitle(v.Snapshot), Cat: v.Category, URL: v.URL, Class: "snap",
	})
	for _, a := range accountsIn(v.Settings) {
		r.accounts.add(a)
	}
	r.browsers.add(strings.TrimSpace(v.Browser + " " + v.BrowserVersion))
	r.extensions.add(v.ExtensionVersion)
	if len(r.offsets) < maxSet {
		r.offsets[v.TZOffsetMinutes] = true
	}
	for _, red := range v.Redactions {
		if _, ok := r.redacted[red.Rule]; ok || len(r.redacted) < 32 {
			r.redacted[red.Rule] += red.Count
		}
	}
	if r.first.IsZero() || v.CapturedAt.Before(r.first) {
		r.first = v.CapturedAt
	}
	if v.CapturedAt.After(r.last) {
		r.last = v.CapturedAt
	}
	if r.wantPDF {
		r.pdf = append(r.pdf, pdfSnapOf(v))
	}
	if err := reportTemplate(r.lang).ExecuteTemplate(r.sw, "snapshot", v); err != nil {
		return fmt.Errorf("report: snapshot %s: %w", v.ID, err)
	}
	return nil
}

// accountsIn finds the account a snapshot shows: e-mail addresses among its
// settings rows (the Account page's "Email" field).
func accountsIn(rows []SettingRow) []string {
	var out []string
	for _, r := range rows {
		l := strings.ToLower(r.Label)
		if (strings.Contains(l, "mail") || strings.Contains(l, "account")) && strings.Contains(r.Value, "@") && !strings.ContainsAny(r.Value, " <>") {
			out = append(out, r.Value)
		}
	}
	return out
}

func (r *report) addEvent(e Event) error {
	if _, ok := eventKeys[e.Type]; ok && e.Type != "snapshot.requested" {
		r.timeline = append(r.timeline, timelineEntry{
			At: e.At, Kind: "event", Anchor: fmt.Sprintf("ev-%d", e.Seq),
			Event: e.Type, Rule: e.RuleID, URL: e.URL, Class: eventClass(e.Type),
		})
	}
	if err := reportTemplate(r.lang).ExecuteTemplate(r.ew, "event", e); err != nil {
		return fmt.Errorf("report: event %d: %w", e.Seq, err)
	}
	return nil
}

// head is the report's summary once every snapshot and event has streamed
// past: what the export knows (options, counts, chain, key, checklist, the
// latest completed audit) and what the report gathered on the way. Every kit
// format builds its head here.
func (r *report) head(ctx context.Context, src Source, o Options, now time.Time, snapshots int, chain EventChain,
	key SigningKey, cl *checklist, wacz bool) (reportHead, error) {
	kitAudit, err := latestAudit(ctx, src)
	if err != nil {
		return reportHead{}, err
	}
	h := reportHead{CreatedAt: now, HostVersion: o.HostVersion, Filter: o.Filter, Snapshots: snapshots,
		Chain: chain, Key: key, Checklist: cl.items(now), WACZ: wacz, Audit: kitAudit}
	r.finish(&h)
	return h, nil
}

// finish fills in what the snapshots and events told the report.
func (r *report) finish(h *reportHead) {
	sort.SliceStable(r.timeline, func(i, j int) bool { return r.timeline[i].At.Before(r.timeline[j].At) })
	h.Timeline = r.timeline
	h.Accounts, h.Browsers, h.Extensions = r.accounts.list, r.browsers.list, r.extensions.list
	for o := range r.offsets {
		h.Offsets = append(h.Offsets, o)
	}
	sort.Ints(h.Offsets)
	for rule, n := range r.redacted {
		h.Redacted = append(h.Redacted, redactionTotal{rule, n})
	}
	sort.Slice(h.Redacted, func(i, j int) bool { return h.Redacted[i].Rule < h.Redacted[j].Rule })
	h.First, h.Last = r.first, r.last
	h.OS = runtime.GOOS + "/" + runtime.GOARCH
	name, off := h.CreatedAt.In(time.Local).Zone()
	h.ExportTZ = fmt.Sprintf("%s (%s)", name, offsetName(off/60))
}

// writeIndex assembles index.html into the kit.
func (r *report) writeIndex(kz *kitZip, path string, h reportHead) error {
	for _, w := range []*bufio.Writer{r.sw, r.ew} {
		if err := w.Flush(); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(r.render(pw, h))
	}()
	_, err := kz.copy(path, pr, true, nil)
	pr.CloseWithError(err)
	return err
}

func (r *report) render(w io.Writer, h reportHead) error {
	bw := bufio.NewWriter(w)
	if err := reportTemplate(r.lang).ExecuteTemplate(bw, "head", h); err != nil {
		return err
	}
	if _, err := r.snaps.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if _, err := io.Copy(bw, r.snaps); err != nil {
		return err
	}
	if err := reportTemplate(r.lang).ExecuteTemplate(bw, "middle", h); err != nil {
		return err
	}
	if _, err := r.events.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if _, err := io.Copy(bw, r.events); err != nil {
		return err
	}
	if err := reportTemplate(r.lang).ExecuteTemplate(bw, "tail", h); err != nil {
		return err
	}
	return bw.Flush()
}

func eventClass(t string) string {
	switch t {
	case "warning.proceeded", "snapshot.failed":
		return "bad"
	case "guard.cancelled", "warning.dismissed":
		return "ok"
	}
	return "warn"
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func utc(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// local shows t at the capture's own offset (minutes east of UTC).
func local(t time.Time, offsetMin int) string {
	z := time.FixedZone(offsetName(offsetMin), offsetMin*60)
	return t.In(z).Format("2006-01-02 15:04:05 ") + z.String()
}

func offsetName(min int) string {
	return fmt.Sprintf("UTC%+03d:%02d", min/60, abs(min)%60)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func compactJSON(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	s := string(raw)
	if len(s) > 600 {
		s = s[:600] + "…"
	}
	return s
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12] + "…"
	}
	return h
}

// reportTemplates are parsed on first use, not at program start (the same
// binary is the native host, whose start-up time is budgeted): one template
// set per language, its "t" function bound to that language's words.
var reportTemplates = sync.OnceValue(func() map[string]*template.Template {
	base := template.Must(template.New("kit").Funcs(template.FuncMap{
		"t": func(string, ...any) string { return "" }, "tc": func(string, string) string { return "" },
		"ev": func(string) string { return "" }, "rule": func(string) string { return "" },
		"trig": func(string) string { return "" }, "sec": func(string) string { return "" }, "val": func(string) string { return "" },
		"capture": func(Category) string { return "" }, "idname": identityName,
		"utc": utc, "local": local, "size": humanSize, "dash": orDash, "offset": offsetName,
		"json": compactJSON, "evclass": eventClass, "url": breakURL,
		"join": func(s []string) string { return strings.Join(s, ", ") },
	}).Parse(reportHTML))
	out := map[string]*template.Template{}
	for _, lang := range Languages {
		w := words(lang)
		out[lang] = template.Must(base.Clone()).Funcs(template.FuncMap{
			"t": w.t, "tc": w.category, "ev": w.event, "rule": w.rule, "trig": w.trigger, "sec": w.section, "val": w.value,
			"capture": w.capture,
		})
	}
	return out
})

func reportTemplate(lang string) *template.Template { return reportTemplates()[Lang(lang)] }

// breakURL lets a long URL wrap only after "/", "?", "&" or "#", never inside
// a word.
func breakURL(u string) template.HTML {
	var b strings.Builder
	for _, r := range u {
		b.WriteString(template.HTMLEscapeString(string(r)))
		if r == '/' || r == '?' || r == '&' || r == '#' {
			b.WriteString("<wbr>")
		}
	}
	return template.HTML(b.String())
}
