package evidence

import (
	"bufio"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"os"
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
	Timeline    []timelineEntry
}

type timelineEntry struct {
	At     time.Time
	Kind   string // "snapshot" or "event"
	Anchor string
	Text   string
	Sub    string
	Class  string
}

type report struct {
	snaps, events *os.File
	sw, ew        *bufio.Writer
	timeline      []timelineEntry
}

func newReport(dir string) (*report, error) {
	s, err := tempFile(dir, "ringfence-report-snaps-*")
	if err != nil {
		return nil, err
	}
	e, err := tempFile(dir, "ringfence-report-events-*")
	if err != nil {
		s.Close()
		os.Remove(s.Name())
		return nil, err
	}
	return &report{snaps: s, events: e, sw: bufio.NewWriter(s), ew: bufio.NewWriter(e)}, nil
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
		Text: "Snapshot: " + orDash(v.Title), Sub: categoryTitle(v.Category) + " · " + v.URL, Class: "snap",
	})
	if err := reportTemplate().ExecuteTemplate(r.sw, "snapshot", v); err != nil {
		return fmt.Errorf("report: snapshot %s: %w", v.ID, err)
	}
	return nil
}

func (r *report) addEvent(e Event) error {
	if desc, ok := eventWords[e.Type]; ok {
		r.timeline = append(r.timeline, timelineEntry{
			At: e.At, Kind: "event", Anchor: fmt.Sprintf("ev-%d", e.Seq),
			Text: desc, Sub: strings.TrimSpace(e.RuleID + " · " + e.URL), Class: eventClass(e.Type),
		})
	}
	if err := reportTemplate().ExecuteTemplate(r.ew, "event", e); err != nil {
		return fmt.Errorf("report: event %d: %w", e.Seq, err)
	}
	return nil
}

// writeIndex assembles index.html into the kit.
func (r *report) writeIndex(kz *kitZip, h reportHead) error {
	for _, w := range []*bufio.Writer{r.sw, r.ew} {
		if err := w.Flush(); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	sort.SliceStable(r.timeline, func(i, j int) bool { return r.timeline[i].At.Before(r.timeline[j].At) })
	h.Timeline = r.timeline
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(r.render(pw, h))
	}()
	_, err := kz.copy(FileIndex, pr, true, nil)
	pr.CloseWithError(err)
	return err
}

func (r *report) render(w io.Writer, h reportHead) error {
	bw := bufio.NewWriter(w)
	if err := reportTemplate().ExecuteTemplate(bw, "head", h); err != nil {
		return err
	}
	if _, err := r.snaps.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if _, err := io.Copy(bw, r.snaps); err != nil {
		return err
	}
	if err := reportTemplate().ExecuteTemplate(bw, "middle", h); err != nil {
		return err
	}
	if _, err := r.events.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if _, err := io.Copy(bw, r.events); err != nil {
		return err
	}
	if err := reportTemplate().ExecuteTemplate(bw, "tail", h); err != nil {
		return err
	}
	return bw.Flush()
}

// eventWords says in plain words what an event means for the timeline;
// types not listed appear only in the event log.
var eventWords = map[string]string{
	"warning.shown":     "Ringfence showed a warning",
	"warning.escalated": "Warning escalated (the user reached the confirm step)",
	"warning.dismissed": "The user dismissed the warning",
	"warning.snoozed":   "The user asked not to be warned about this for 30 days",
	"warning.unsnoozed": "The user asked to be warned about this again",
	"warning.proceeded": "The user proceeded despite the warning",
	"guard.cancelled":   "The user cancelled the action at Ringfence's guard",
	"snapshot.failed":   "A snapshot failed",
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

func categoryTitle(id string) string {
	for _, c := range Categories() {
		if c.ID == id {
			return c.Title
		}
	}
	if id == "" {
		return "Uncategorised"
	}
	return "Other (" + id + ")"
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
	return t.UTC().Format("2006-01-02 15:04:05.000 UTC")
}

// local shows t at the capture's own offset (minutes east of UTC).
func local(t time.Time, offsetMin int) string {
	z := time.FixedZone(fmt.Sprintf("UTC%+03d:%02d", offsetMin/60, abs(offsetMin)%60), offsetMin*60)
	return t.In(z).Format("2006-01-02 15:04:05 ") + z.String()
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

// reportTemplate is parsed on first use, not at program start: the same
// binary is the native host, whose start-up time is budgeted.
var reportTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("kit").Funcs(template.FuncMap{
		"utc": utc, "local": local, "size": humanSize, "cat": categoryTitle, "dash": orDash,
		"json": compactJSON, "short": short, "evclass": eventClass,
		"words": func(t string) string { return eventWords[t] },
		"join":  func(s []string) string { return strings.Join(s, ", ") },
	}).Parse(reportTemplates))
})
