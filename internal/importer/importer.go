// Package importer turns a file the user brings in — an email (.eml), a PDF,
// an image, a text transcript — into evidence: the artifacts and metadata
// store.SaveImport keeps, with secrets redacted from everything textual and
// an evidence category guessed from the words in it.
package importer

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ringfence/ringfence/internal/redact"
	"github.com/ringfence/ringfence/internal/spec"
	"github.com/ringfence/ringfence/internal/store"
)

// MaxFile is the largest file imported (an artifact's limit).
const MaxFile = store.MaxArtifactSize

// ErrUnsupported is returned for a file that is none of the kinds below.
var ErrUnsupported = errors.New("unsupported file type (import .eml, .pdf, .png, .jpg, .gif, .webp, .txt, .md, .log, .html)")

// Kinds of file.
const (
	KindEmail = "email"
	KindPDF   = "pdf"
	KindImage = "image"
	KindText  = "text"
)

// Attachment is one part of an email that is a file.
type Attachment struct {
	Name string `json:"name"`
	MIME string `json:"mime"`
	Size int    `json:"size"`
}

// Email is what an .eml says about itself.
type Email struct {
	From        string       `json:"from"`
	To          string       `json:"to"`
	Cc          string       `json:"cc,omitempty"`
	Date        string       `json:"date"`
	Subject     string       `json:"subject"`
	MessageID   string       `json:"message_id,omitempty"`
	Attachments []Attachment `json:"attachments"`
}

// Info is import.json: what was imported and what was found in it.
type Info struct {
	Kind     string `json:"kind"`
	FileName string `json:"file_name"`
	MIME     string `json:"mime"`
	Size     int    `json:"size"`
	SHA256   string `json:"sha256"` // of the file as given, before redaction
	Email    *Email `json:"email,omitempty"`
	Category string `json:"category"`
	// Redacted is true when secrets were removed from the stored copy (so
	// its hash differs from SHA256).
	Redacted bool `json:"redacted"`
}

// Prepared is an import ready for store.SaveImport.
type Prepared struct {
	Meta    store.Snapshot
	Content map[string]io.Reader
	Detail  map[string]any
	Info    Info
}

// Prepare reads one file. name is its base name as the user had it; now is
// used as the capture time when the file carries no date of its own.
func Prepare(name string, data []byte, r *redact.Redactor, now time.Time) (Prepared, error) {
	base := filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	if base == "." || base == "/" || base == "" {
		base = "file"
	}
	if len(data) > MaxFile {
		return Prepared{}, fmt.Errorf("import %s: %w: %d bytes, at most %d", base, store.ErrTooLarge, len(data), MaxFile)
	}
	kind, mimeType := sniff(base, data)
	if kind == "" {
		return Prepared{}, fmt.Errorf("import %s: %w", base, ErrUnsupported)
	}
	info := Info{Kind: kind, FileName: base, MIME: mimeType, Size: len(data), SHA256: hashHex(data)}
	ext := strings.ToLower(filepath.Ext(base))
	original := "original" + safeExt(ext)
	content := map[string]io.Reader{}
	counts := map[string]map[string]int{} // artifact → rule → count
	addCounts := func(artifact string, c map[string]int) {
		for k, v := range c {
			if counts[artifact] == nil {
				counts[artifact] = map[string]int{}
			}
			counts[artifact][k] += v
		}
	}
	captured := now
	title := base
	var text, classifyText string // text.txt; and for plain text files, the file itself
	switch kind {
	case KindEmail:
		em, body, err := parseEmail(data)
		if err != nil {
			return Prepared{}, fmt.Errorf("import %s: %w", base, err)
		}
		info.Email = em
		if t, err := mail.ParseDate(em.Date); err == nil {
			captured = t
		}
		if em.Subject != "" {
			title = em.Subject
		}
		text = fmt.Sprintf("From: %s\nTo: %s\nDate: %s\nSubject: %s\n\n%s", em.From, em.To, em.Date, em.Subject, body)
		red, c := r.String(string(data))
		addCounts(original, c)
		content[original] = strings.NewReader(red)
	case KindText:
		if !utf8.Valid(data) {
			return Prepared{}, fmt.Errorf("import %s: %w (not UTF-8 text)", base, ErrUnsupported)
		}
		red, c := r.String(string(data))
		addCounts(original, c)
		content[original] = strings.NewReader(red)
		classifyText = red
	default: // PDF, image: bytes as given (no text to redact; see docs/threat-model.md)
		content[original] = bytes.NewReader(data)
	}
	if text != "" {
		red, c := r.String(text)
		addCounts("text.txt", c)
		text = red
		content["text.txt"] = strings.NewReader(text)
	}
	info.Category = Classify(title + "\n" + text + classifyText)
	info.Redacted = len(counts) > 0
	if info.Email != nil {
		em := *info.Email
		for _, f := range []*string{&em.From, &em.To, &em.Cc, &em.Subject, &em.Date} {
			*f, _ = r.String(*f)
		}
		info.Email = &em
	}
	title, _ = r.String(title)
	ij, _ := json.MarshalIndent(info, "", "  ")
	content["import.json"] = bytes.NewReader(append(ij, '\n'))
	redactions := []store.Redaction{}
	for _, art := range slices.Sorted(maps.Keys(counts)) {
		for _, rule := range slices.Sorted(maps.Keys(counts[art])) {
			redactions = append(redactions, store.Redaction{Rule: rule, Artifact: art, Count: counts[art][rule]})
		}
	}
	if len(title) > store.MaxTitle {
		title = title[:store.MaxTitle]
	}
	meta := store.Snapshot{
		URL: "import:" + clipURL(base), Title: title, CapturedAt: captured,
		Category: info.Category, CategorySource: spec.CategorySourceImport, Redactions: redactions,
		Artifacts: []store.ArtifactInfo{{Name: original, MIME: mimeType}, {Name: "text.txt", MIME: "text/plain; charset=utf-8"},
			{Name: "import.json", MIME: "application/json"}},
		Notes: map[string]string{"import": kind + " " + base},
	}
	_, offset := captured.Zone()
	meta.TZOffsetMinutes = offset / 60
	detail := map[string]any{"file": base, "kind": kind, "sha256": info.SHA256, "size": len(data)}
	if info.Email != nil {
		detail["subject"], detail["from"] = info.Email.Subject, info.Email.From
	}
	return Prepared{Meta: meta, Content: content, Detail: detail, Info: info}, nil
}

func clipURL(s string) string {
	if len(s) > 1024 {
		return s[:1024]
	}
	return s
}

// safeExt keeps an extension only when it is an artifact-name-safe one.
func safeExt(ext string) string {
	if len(ext) < 2 || len(ext) > 8 {
		return ""
	}
	for _, c := range ext[1:] {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return ""
		}
	}
	return ext
}

// sniff decides the kind from the content first (magic numbers) and the
// extension second.
func sniff(name string, data []byte) (kind, mimeType string) {
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return KindPDF, "application/pdf"
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return KindImage, "image/png"
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		return KindImage, "image/jpeg"
	case bytes.HasPrefix(data, []byte("GIF8")):
		return KindImage, "image/gif"
	case len(data) > 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return KindImage, "image/webp"
	}
	switch ext {
	case ".eml":
		return KindEmail, "message/rfc822"
	case ".txt", ".md", ".log", ".csv", ".json":
		return KindText, "text/plain; charset=utf-8"
	case ".html", ".htm":
		// Kept as text: an imported page is never rendered as HTML.
		return KindText, "text/plain; charset=utf-8"
	}
	return "", ""
}

// parseEmail reads the headers and the best text body, and lists the
// attachments (names, types, sizes; their bytes stay inside the .eml).
func parseEmail(data []byte) (*Email, string, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return nil, "", fmt.Errorf("not an email: %w", err)
	}
	dec := new(mime.WordDecoder)
	hdr := func(k string) string {
		v := msg.Header.Get(k)
		if d, err := dec.DecodeHeader(v); err == nil {
			return d
		}
		return v
	}
	em := &Email{From: hdr("From"), To: hdr("To"), Cc: hdr("Cc"), Date: hdr("Date"), Subject: hdr("Subject"),
		MessageID: hdr("Message-Id"), Attachments: []Attachment{}}
	var plain, html string
	walkPart(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), "", msg.Body, em, &plain, &html, 0)
	body := plain
	if body == "" && html != "" {
		body = stripTags(html)
	}
	return em, body, nil
}

// walkPart visits a MIME part; depth bounds nesting a hostile file could use.
func walkPart(ctype, cte, disposition string, body io.Reader, em *Email, plain, html *string, depth int) {
	if depth > 10 {
		return
	}
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil || ctype == "" {
		mt = "text/plain"
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err != nil {
				return
			}
			walkPart(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"),
				p.Header.Get("Content-Disposition"), p, em, plain, html, depth+1)
		}
	}
	b, _ := io.ReadAll(io.LimitReader(decodeCTE(cte, body), MaxFile))
	disp, dparams, _ := mime.ParseMediaType(disposition)
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	if disp == "attachment" || name != "" && !strings.HasPrefix(mt, "text/") || !strings.HasPrefix(mt, "text/") && mt != "message/rfc822" {
		if name == "" {
			name = "(unnamed)"
		}
		em.Attachments = append(em.Attachments, Attachment{Name: name, MIME: mt, Size: len(b)})
		return
	}
	switch mt {
	case "text/plain":
		if *plain == "" {
			*plain = string(b)
		}
	case "text/html":
		if *html == "" {
			*html = string(b)
		}
	}
}

func decodeCTE(cte string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &newlineSkipper{r: r})
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	}
	return r
}

// newlineSkipper drops CR/LF so base64 bodies wrapped at 76 columns decode.
type newlineSkipper struct{ r io.Reader }

func (n *newlineSkipper) Read(p []byte) (int, error) {
	for {
		k, err := n.r.Read(p)
		j := 0
		for _, c := range p[:k] {
			if c != '\r' && c != '\n' {
				p[j] = c
				j++
			}
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}

// stripTags is a rough HTML-to-text for emails without a text part: the text
// is for reading and searching, the original stays in the .eml.
func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, c := range s {
		switch {
		case c == '<':
			in = true
		case c == '>':
			in = false
			b.WriteByte(' ')
		case !in:
			b.WriteRune(c)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// categoryWords guess a category from an import's text. The first category
// with a match wins; the order puts the most specific first.
var categoryWords = []struct {
	category string
	words    []string
}{
	{"moderation", []string{"ban", "banned", "suspend", "deactivat", "appeal", "violat", "usage polic", "terminat", "moderation", "restricted", "account_deactivated"}},
	{"api_dashboard", []string{"api key", "api-key", "secret key", "sk-", "rate limit", "organization", "project"}},
	{"consent_training", []string{"training", "improve the model", "opt out", "opt-out", "data controls", "consent"}},
	{"account_status", []string{"billing", "invoice", "subscription", "password", "phone", "sso", "sign in", "log in", "account"}},
	{"uploads", []string{"upload", "file", "attachment"}},
}

// Classify guesses an evidence category (store.Categories) from text.
func Classify(text string) string {
	t := strings.ToLower(text)
	for _, c := range categoryWords {
		for _, w := range c.words {
			if strings.Contains(t, w) {
				return c.category
			}
		}
	}
	return "other"
}

func hashHex(p []byte) string {
	h := sha256.Sum256(p)
	return hex.EncodeToString(h[:])
}
