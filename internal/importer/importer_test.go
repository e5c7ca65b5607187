package importer

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/ringfence/ringfence/internal/redact"
)

const secret = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD"

func TestPrepare(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	eml := "From: =?utf-8?q?OpenAI_Support?= <support@openai.com>\r\nTo: jane@example.com\r\nDate: Mon, 30 Nov 2026 10:00:00 +0100\r\n" +
		"Subject: Re: appeal\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n" +
		"--B\r\nContent-Type: multipart/alternative; boundary=C\r\n\r\n" +
		"--C\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nYour appeal was re=\r\nviewed. Key " + secret + "\r\n" +
		"--C\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n--C--\r\n" +
		"--B\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"notice.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--B--\r\n"
	cases := []struct {
		name, file, data string
		kind, category   string
		artifacts        []string
		check            func(t *testing.T, p Prepared, arts map[string]string)
		err              string
	}{
		{name: "email", file: "appeal.eml", data: eml, kind: KindEmail, category: "moderation",
			artifacts: []string{"import.json", "original.eml", "text.txt"},
			check: func(t *testing.T, p Prepared, arts map[string]string) {
				e := p.Info.Email
				if e.From != "OpenAI Support <support@openai.com>" || e.Subject != "Re: appeal" || len(e.Attachments) != 1 ||
					e.Attachments[0].Name != "notice.pdf" || e.Attachments[0].Size != 9 {
					t.Errorf("email %+v", e)
				}
				if !strings.Contains(arts["text.txt"], "Your appeal was reviewed.") {
					t.Errorf("text %q", arts["text.txt"])
				}
				if !p.Meta.CapturedAt.Equal(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)) || p.Meta.TZOffsetMinutes != 60 {
					t.Errorf("captured %v %d", p.Meta.CapturedAt, p.Meta.TZOffsetMinutes)
				}
				if !p.Info.Redacted || len(p.Meta.Redactions) == 0 {
					t.Errorf("redactions %+v", p.Meta.Redactions)
				}
			}},
		{name: "pdf by magic", file: "notice", data: "%PDF-1.4\n...", kind: KindPDF, category: "other", artifacts: []string{"import.json", "original"}},
		{name: "png", file: "shot.PNG", data: "\x89PNG\r\n\x1a\nrest", kind: KindImage, category: "other", artifacts: []string{"import.json", "original.png"}},
		{name: "text", file: "chat.txt", data: "Support: your API key " + secret + " was used", kind: KindText, category: "api_dashboard",
			artifacts: []string{"import.json", "original.txt"}},
		{name: "html kept as text", file: "page.html", data: "<script>x</script>", kind: KindText, category: "other", artifacts: []string{"import.json", "original.html"}},
		{name: "binary", file: "a.exe", data: "MZ\x00", err: "unsupported"},
		{name: "not utf-8", file: "a.txt", data: "\xff\xfe", err: "unsupported"},
		{name: "not an email", file: "a.eml", data: "no headers here", err: "not an email"},
	}
	r := redact.New()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Prepare(c.file, []byte(c.data), r, now)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Info.Kind != c.kind || p.Meta.Category != c.category {
				t.Errorf("kind %s category %s", p.Info.Kind, p.Meta.Category)
			}
			arts := map[string]string{}
			var names []string
			for n, rd := range p.Content {
				b, _ := io.ReadAll(rd)
				arts[n] = string(b)
				names = append(names, n)
			}
			if strings.Join(sorted(names), ",") != strings.Join(c.artifacts, ",") {
				t.Errorf("artifacts %v, want %v", sorted(names), c.artifacts)
			}
			for n, b := range arts {
				if strings.Contains(b, secret) {
					t.Errorf("%s keeps the secret", n)
				}
			}
			if c.check != nil {
				c.check(t, p, arts)
			}
		})
	}
}

func sorted(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}
