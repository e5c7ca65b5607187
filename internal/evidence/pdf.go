package evidence

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// The PDF is the report for people who attach one file to a ticket: real,
// selectable text (not a picture of the HTML) with every file's SHA-256 and
// the key's fingerprint, laid out for A4 (it prints on Letter too). It uses
// the PDF core fonts, which cover Western European scripts; a Japanese
// report's PDF is written in English (the HTML report is in Japanese), so
// no font file has to ship with the host.

// FormatPDF is the PDF-only export format.
const FormatPDF = "pdf"

// FilePDF is the PDF report inside a kit (export --with-pdf).
const FilePDF = "report.pdf"

// pdfSnap is what the PDF shows of one snapshot, kept small while the
// export streams (the settings table is capped).
type pdfSnap struct {
	Title, URL, FinalURL  string
	At                    time.Time
	Offset                int
	Cat, Trigger, Browser string
	Files                 []FileEntry
	Settings              []SettingRow
	MoreSettings          bool
	Redactions            []Redaction
}

const maxPDFSettings = 40

func pdfSnapOf(v snapshotView) pdfSnap {
	p := pdfSnap{Title: v.Title, URL: v.URL, FinalURL: v.FinalURL, At: v.CapturedAt, Offset: v.TZOffsetMinutes,
		Cat: v.Category, Trigger: v.Trigger, Browser: strings.TrimSpace(v.Browser + " " + v.BrowserVersion), Redactions: v.Redactions}
	for _, a := range v.Artifacts {
		p.Files = append(p.Files, FileEntry{Path: a.Name, Size: a.Size, SHA256: a.SHA256})
	}
	p.Settings = v.Settings
	if len(p.Settings) > maxPDFSettings {
		p.Settings, p.MoreSettings = p.Settings[:maxPDFSettings:maxPDFSettings], true
	}
	return p
}

// WritePDF writes the report of the snapshots src selects as a PDF.
// Artifacts are not read, except settings.json for the settings table; the
// hashes shown are those recorded at capture.
func WritePDF(ctx context.Context, src Source, w io.Writer, o Options) (Result, error) {
	key, err := IdentityKey(o.SigningKey)
	if err != nil {
		return Result{}, fmt.Errorf("export: %w", err)
	}
	now, progress := o.start()
	snaps, err := selectSnapshots(ctx, src, o.Filter)
	if err != nil {
		return Result{}, err
	}
	rep, err := newReport(o.TempDir, o.Lang)
	if err != nil {
		return Result{}, err
	}
	defer rep.cleanup()
	rep.wantPDF = true
	cl := newChecklist()
	for i, s := range snaps {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		v := snapshotView{Snapshot: s}
		for _, a := range s.Artifacts {
			var tee *capBuffer
			if a.Name == "settings.json" {
				tee = &capBuffer{limit: maxTee}
				rc, err := src.OpenArtifact(ctx, s.ID, a.Name)
				if err != nil {
					return Result{}, fmt.Errorf("snapshot %s: open %s: %w", s.ID, a.Name, err)
				}
				_, err = io.Copy(tee, rc)
				rc.Close()
				if err != nil {
					return Result{}, fmt.Errorf("snapshot %s: read %s: %w", s.ID, a.Name, err)
				}
			}
			v.take(a, false, tee, "")
		}
		cl.add(s)
		if err := rep.addSnapshot(v); err != nil {
			return Result{}, err
		}
		progress(i+1, len(snaps), "artifacts")
	}
	var chain EventChain
	err = src.Events(ctx, func(e Event) error {
		if chain.Count == 0 {
			chain.FirstSeq = e.Seq
		}
		chain.Count++
		chain.LastSeq, chain.Head = e.Seq, e.Hash
		return rep.addEvent(e)
	})
	if err != nil {
		return Result{}, fmt.Errorf("events: %w", err)
	}
	progress(len(snaps), len(snaps), "events")
	keyInfo, _, err := signingKeyInfo(&key.PublicKey)
	if err != nil {
		return Result{}, err
	}
	head, err := rep.head(ctx, src, o, now, len(snaps), chain, keyInfo, cl, false)
	if err != nil {
		return Result{}, err
	}
	if err := renderPDF(w, head, rep.pdf, rep.lang, true); err != nil {
		return Result{}, err
	}
	progress(len(snaps), len(snaps), "report")
	return Result{Snapshots: len(snaps), Events: chain.Count, Files: 1, ChainHead: chain.Head, Fingerprint: keyInfo.Fingerprint}, nil
}

// renderPDF lays out the report. compress=false leaves the content streams
// readable, for tests that look at the text operators themselves.
func renderPDF(w io.Writer, h reportHead, snaps []pdfSnap, lang string, compress bool) error {
	if lang == "ja" {
		lang = "en" // the core fonts have no Japanese glyphs (see above)
	}
	wd := words(lang)
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(compress)
	pdf.SetMargins(14, 14, 14)
	pdf.SetAutoPageBreak(true, 16)
	pdf.SetCreationDate(h.CreatedAt)
	pdf.SetModificationDate(h.CreatedAt)
	pdf.SetTitle(wd.t("title")+" "+utc(h.CreatedAt), true)
	pdf.SetCreator("ringfence "+h.HostVersion, true)
	pdf.SetLang(lang)
	cp := pdf.UnicodeTranslatorFromDescriptor("") // cp1252
	tr := func(s string) string {
		return cp(strings.NewReplacer("→", "->", "‘", "'", "’", "'", "≥", ">=").Replace(s))
	}
	pdf.SetFooterFunc(func() {
		pdf.SetY(-11)
		pdf.SetFont("Helvetica", "", 7)
		pdf.SetTextColor(90, 100, 112)
		pdf.CellFormat(0, 4, tr(fmt.Sprintf("%s · %s · %d", wd.t("title"), h.Key.Fingerprint, pdf.PageNo())), "", 0, "C", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	})
	pdf.AddPage()

	const lh = 4.6
	heading := func(s string) {
		pdf.Ln(3)
		pdf.SetFont("Helvetica", "B", 13)
		pdf.MultiCell(0, 7, tr(s), "B", "L", false)
		pdf.Ln(1.5)
	}
	para := func(s string) {
		pdf.SetFont("Helvetica", "", 9.5)
		pdf.MultiCell(0, lh, tr(s), "", "L", false)
	}
	// row is a label and a value; mono values (hashes, times) never wrap.
	row := func(label, value string, mono bool) {
		pdf.SetFont("Helvetica", "", 9)
		pdf.SetTextColor(90, 100, 112)
		if pdf.GetStringWidth(tr(label)) > 50 {
			// A long label gets its own line; the value starts below it.
			pdf.MultiCell(0, lh, tr(label), "", "L", false)
			pdf.SetX(14 + 52)
		} else {
			pdf.CellFormat(52, lh, tr(label), "", 0, "L", false, 0, "")
		}
		pdf.SetTextColor(0, 0, 0)
		if mono {
			pdf.SetFont("Courier", "", 8)
			pdf.CellFormat(0, lh, value, "", 1, "L", false, 0, "")
			return
		}
		pdf.MultiCell(0, lh, tr(value), "", "L", false)
	}

	pdf.SetFont("Helvetica", "B", 18)
	pdf.MultiCell(0, 9, tr(wd.t("title")), "", "L", false)
	para(wd.t("intro"))
	pdf.Ln(2)
	account := wd.t("sum.account.none")
	if len(h.Accounts) > 0 {
		account = strings.Join(h.Accounts, ", ")
	}
	row(wd.t("sum.account"), account, false)
	row(wd.t("sum.created"), utc(h.CreatedAt), true)
	span := fmt.Sprint(h.Snapshots)
	if !h.First.IsZero() {
		span += " · " + utc(h.First) + " – " + utc(h.Last)
	}
	row(wd.t("sum.snapshots"), span, false)
	row(wd.t("sum.events"), fmt.Sprint(h.Chain.Count), false)
	row(wd.t("sum.fingerprint"), h.Key.Fingerprint, true)
	row(wd.t("sum.timestamp"), wd.t("sum.timestamp.none"), false)

	heading(wd.t("limits.title"))
	para(wd.t("limits.shows"))
	for _, k := range []string{"limits.shows.pages", "limits.shows.intact", "limits.shows.events"} {
		para("•  " + wd.t(k))
	}
	pdf.Ln(1)
	para(wd.t("limits.cannot"))
	red := wd.t("limits.redacted")
	if len(h.Redacted) > 0 {
		var parts []string
		for _, r := range h.Redacted {
			parts = append(parts, fmt.Sprintf("%d × %s", r.Count, wd.rule(r.Rule)))
		}
		red += " " + wd.t("limits.redacted.here") + " " + strings.Join(parts, ", ") + "."
	} else {
		red += " " + wd.t("limits.redacted.none")
	}
	for _, s := range []string{wd.t("limits.clock"), wd.t("limits.display"), wd.t("limits.who"), red} {
		para("•  " + s)
	}

	heading(wd.t("env.title"))
	orDashList := func(l []string) string {
		if len(l) == 0 {
			return "—"
		}
		return strings.Join(l, ", ")
	}
	row(wd.t("env.browser"), orDashList(h.Browsers), false)
	row(wd.t("env.extension"), orDashList(h.Extensions), false)
	row(wd.t("env.host"), "ringfence "+h.HostVersion, false)
	row(wd.t("env.os"), h.OS, false)
	var offs []string
	for _, o := range h.Offsets {
		offs = append(offs, offsetName(o))
	}
	row(wd.t("env.tz"), orDashList(offs)+" ("+wd.t("env.tz.export")+" "+h.ExportTZ+")", false)
	row(wd.t("env.clock"), wd.t("env.clock.unknown"), false)

	heading(wd.t("check.title"))
	for _, it := range h.Checklist {
		if it.First {
			pdf.SetFont("Helvetica", "B", 10.5)
			pdf.MultiCell(0, lh+1, tr(wd.t("check.identity")+" "+identityName(it.Identity)), "", "L", false)
		}
		state := wd.t("no")
		next := wd.capture(it.Category)
		if it.Covered {
			state = fmt.Sprintf("%s (%d)", wd.t("yes"), it.Count)
			next = wd.t("check.ok")
			if it.Stale {
				next = wd.t("check.stale") + " " + wd.capture(it.Category)
			}
		}
		pdf.SetFont("Helvetica", "B", 9.5)
		pdf.MultiCell(0, lh, tr(wd.category(it.ID, "title")+": "+state), "", "L", false)
		para(next)
		pdf.Ln(1)
	}
	if a := h.Audit; a != nil {
		pdf.SetFont("Helvetica", "B", 10.5)
		pdf.MultiCell(0, lh+1, tr(wd.t("check.audit")+" "+a.ID), "", "L", false)
		if len(a.Actions) == 0 {
			para(wd.t("check.audit.none", a.ID, utc(a.FinishedAt)))
		} else {
			para(wd.t("check.audit.intro", a.ID, utc(a.FinishedAt)))
		}
		for _, x := range a.Actions {
			pdf.SetFont("Helvetica", "B", 9.5)
			pdf.MultiCell(0, lh, tr(wd.t("check.audit."+x.Severity)), "", "L", false)
			para(x.Text)
		}
		pdf.Ln(1)
	}

	heading(wd.t("timeline.title"))
	for _, e := range h.Timeline {
		pdf.SetFont("Courier", "", 8)
		pdf.CellFormat(44, lh, utc(e.At), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 9)
		text := ""
		if e.Kind == "snapshot" {
			text = wd.t("timeline.snapshot") + ": " + orDash(e.Title) + " (" + wd.category(e.Cat, "title") + ")"
		} else {
			text = wd.event(e.Event)
			if e.Rule != "" {
				text += " — " + wd.rule(e.Rule)
			}
		}
		pdf.MultiCell(0, lh, tr(text), "", "L", false)
	}
	if len(h.Timeline) == 0 {
		para(wd.t("timeline.empty"))
	}

	heading(wd.t("snaps.title"))
	para(wd.t("snaps.intro"))
	for _, s := range snaps {
		pdf.Ln(2)
		pdf.SetFont("Helvetica", "B", 11)
		pdf.MultiCell(0, 6, tr(orDash(s.Title)), "T", "L", false)
		row(wd.t("snap.page"), s.URL, false)
		if s.FinalURL != "" && s.FinalURL != s.URL {
			row(wd.t("snap.final"), s.FinalURL, false)
		}
		row(wd.t("snap.captured"), utc(s.At), true)
		row(wd.t("snap.local"), local(s.At, s.Offset), true)
		row(wd.t("snap.how"), wd.trigger(s.Trigger), false)
		row(wd.t("snap.category"), wd.category(s.Cat, "title"), false)
		row(wd.t("snap.browser"), orDash(s.Browser), false)
		for _, r := range s.Redactions {
			row(wd.t("snap.redacted"), fmt.Sprintf("%d × %s", r.Count, wd.rule(r.Rule)), false)
		}
		pdf.SetFont("Helvetica", "B", 9)
		pdf.CellFormat(0, lh+1, tr(wd.t("snap.files")), "", 1, "L", false, 0, "")
		for _, f := range s.Files {
			pdf.SetFont("Helvetica", "", 8.5)
			pdf.CellFormat(52, lh, tr(f.Path+" ("+humanSize(f.Size)+")"), "", 0, "L", false, 0, "")
			pdf.SetFont("Courier", "", 8)
			pdf.CellFormat(0, lh, f.SHA256, "", 1, "L", false, 0, "")
		}
		if len(s.Settings) > 0 {
			pdf.SetFont("Helvetica", "B", 9)
			pdf.CellFormat(0, lh+1, tr(wd.t("snap.settings")), "", 1, "L", false, 0, "")
			for _, r := range s.Settings {
				v := wd.value(r.Value)
				if r.Kind != "" {
					v += " (" + wd.value(r.Kind) + ")"
				}
				row(wd.section(r.Section)+" · "+r.Label, v, false)
			}
			if s.MoreSettings {
				para("… settings.json")
			}
		}
	}

	heading(wd.t("verify.title"))
	para(wd.t("verify.intro"))
	code := func(s string) {
		pdf.SetFont("Courier", "", 7.5)
		pdf.MultiCell(0, 4, s, "", "L", false)
		pdf.Ln(1)
	}
	para(wd.t("verify.hashes"))
	code("sha256sum --strict -c SHA256SUMS")
	para(wd.t("verify.sig"))
	code("openssl dgst -sha256 -verify public-key.pem -signature manifest.json.sig manifest.json")
	code("openssl pkey -pubin -in public-key.pem -outform DER | sha256sum")
	para(wd.t("verify.fp"))
	code(h.Key.Fingerprint)
	para(wd.t("verify.chain") + " " + wd.t("verify.chain.text"))
	code(orDash(h.Chain.Head))
	para(wd.t("verify.ts") + " " + wd.t("verify.ts.text"))
	code("openssl ts -verify -data manifest.json.sig -in timestamp.tsr -CAfile TSA-CA.pem")
	para(wd.t("verify.tool"))
	code("ringfence verify KIT.zip --expect-fingerprint " + h.Key.Fingerprint)
	pdf.Ln(2)
	pdf.SetFont("Helvetica", "", 8)
	pdf.MultiCell(0, 4, tr(wd.t("footer", h.HostVersion)+" "+utc(h.CreatedAt)+"."), "", "L", false)

	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("write PDF: %w", err)
	}
	return nil
}
