package redact

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	r := New()
	const key = "sk-proj-Ab3dEf9hIj2kLmN0pQrStUvWxYz1234567890"
	cases := []struct {
		name, in, want string
		rule           string
	}{
		{"project key", "key " + key + " end", "key sk-proj-" + Mark + " end", "openai_key"},
		{"key at start", "sk-Zx81kLmQ0pWn4RtY7uIo2AsDf", "sk-" + Mark, "openai_key"},
		{"session", "cookie sess-Q8w7E6r5T4y3U2i1O0pAsDfGh", "cookie sess-" + Mark, "session_token"},
		{"jwt", "t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcdEFGH1234", "t=eyJ" + Mark, "jwt"},
		{"bearer", "Authorization: Bearer abcdefghij0123456789", "Authorization: Bearer " + Mark, "bearer"},
		{"url token", "https://auth.openai.com/cb?code=Zk81mQp0Lw3nRt7Yu2Io&state=1", "https://auth.openai.com/cb?code=" + Mark + "&state=1", "url_token"},
		{"client_secret", "https://a/cb?client_secret=hunter2&x=1", "https://a/cb?client_secret=" + Mark + "&x=1", "url_credential"},
		{"password in a fragment", "https://a/#password=pw1", "https://a/#password=" + Mark, "url_credential"},
		{"access_token in a fragment", "https://a/cb#access_token=abc.def&expires_in=3600", "https://a/cb#access_token=" + Mark + "&expires_in=3600", "url_credential"},
		{"api_key upper case", "https://a/?API_KEY=k1", "https://a/?API_KEY=" + Mark, "url_credential"},
		{"short code", "https://a/cb?code=Zk81mQp0&state=1", "https://a/cb?code=" + Mark + "&state=1", "url_token"},
		{"key", "https://a/?key=AIzaSyD-1", "https://a/?key=" + Mark, "url_token"},
		{"short key is not a secret", "https://a/?key=en", "https://a/?key=en", ""},
		{"css class is not a key", "class sk-button-primary-large-outline", "class sk-button-primary-large-outline", ""},
		{"plain url", "https://chatgpt.com/#settings/Account", "https://chatgpt.com/#settings/Account", ""},
		{"already redacted", "sk-proj-" + Mark, "sk-proj-" + Mark, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, counts := r.String(c.in)
			if got != c.want {
				t.Errorf("String(%q) = %q, want %q", c.in, got, c.want)
			}
			if c.rule == "" && len(counts) != 0 {
				t.Errorf("counts = %v, want none", counts)
			}
			if c.rule != "" && counts[c.rule] != 1 {
				t.Errorf("counts = %v, want %s:1", counts, c.rule)
			}
		})
	}
}

func TestJSONRedactsValuesNotKeys(t *testing.T) {
	r := New()
	in := json.RawMessage(`{"token":"x","nested":{"list":["Bearer abcdefghij0123456789", 3, true]},"url":"https://x.test/?api_key=Qw8Er7Ty6Ui5Op4As3Df"}`)
	out, counts := r.JSON(in)
	if strings.Contains(string(out), "abcdefghij0123456789") || strings.Contains(string(out), "Qw8Er7Ty6Ui5Op4As3Df") {
		t.Fatalf("secret left in %s", out)
	}
	if counts["bearer"] != 1 || counts["url_credential"] != 1 {
		t.Fatalf("counts = %v", counts)
	}
	if !json.Valid(out) || !strings.Contains(string(out), `"token":"x"`) {
		t.Fatalf("bad output %s", out)
	}
	if same, c := r.JSON(json.RawMessage(`{"a":"plain"}`)); string(same) != `{"a":"plain"}` || c != nil {
		t.Fatalf("clean document changed: %s %v", same, c)
	}
}

func FuzzString(f *testing.F) {
	f.Add("sk-proj-Ab3dEf9hIj2kLmN0pQrStUvWxYz1234567890")
	f.Add("Bearer abcdefghij0123456789 and ?token=aaaaaaaaaaaaaaaaaaaaaaaa")
	r := New()
	f.Fuzz(func(t *testing.T, s string) {
		out, _ := r.String(s)
		again, counts := r.String(out)
		if again != out || len(counts) != 0 {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, out, again)
		}
	})
}
