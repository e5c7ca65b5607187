package diff

import (
	"strings"
	"testing"
)

const before = `{"controls":[
 {"label":"Improve the model for everyone","kind":"switch","checked":true},
 {"label":"Design","kind":"select","value":"dark","selected_text":"Dark"},
 {"label":"Memory","kind":"switch","checked":false}],
 "fields":[{"label":"Plan","value":"Plus"}],
 "account":{"email":"jane@example.com","linked_services":["Google"]},
 "api_keys":[{"name":"prod","prefix":"sk-...aaaa"},{"name":"old","prefix":"sk-...bbbb"}]}`

const after = `{"controls":[
 {"label":"Improve the model for everyone","kind":"switch","checked":false},
 {"label":"Design","kind":"select","value":"light","selected_text":"Light"},
 {"label":"Memory","kind":"switch","checked":false},
 {"label":"Voice","kind":"switch","checked":"mixed"}],
 "fields":[{"label":"Plan","value":"Pro"}],
 "account":{"email":"jane@example.com","linked_services":["Google","Apple"]},
 "api_keys":[{"name":"prod","prefix":"sk-...aaaa"},{"name":"new","prefix":"sk-...cccc"}]}`

func TestCompare(t *testing.T) {
	r, err := Compare(Side{ID: "a", Settings: []byte(before), Text: []byte("one\ntwo\nthree\nfour\nfive\nsix\nseven\n")},
		Side{ID: "b", Settings: []byte(after), Text: []byte("one\ntwo\nthree\nFOUR\nfive\nsix\nseven\n")})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(r.Summary(), "\n")
	for _, want := range []string{
		"setting: Improve the model for everyone: On → Off",
		"setting: Design: Dark → Light",
		"setting added: Voice: Mixed",
		"API key appeared: new sk-...cccc",
		"API key disappeared: old sk-...bbbb",
		"account linked_services: Google → Google, Apple",
		"field Plan: Plus → Pro",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Memory") {
		t.Errorf("unchanged control reported:\n%s", got)
	}
	if !r.TextChanged {
		t.Fatal("text change not seen")
	}
	var ops []string
	for _, l := range r.Text {
		ops = append(ops, l.Op+l.Text)
	}
	want := "…1 unchanged line(s)|=two|=three|-four|+FOUR|=five|=six|…1 unchanged line(s)"
	if g := strings.Join(ops, "|"); g != want {
		t.Errorf("text diff\n got %s\nwant %s", g, want)
	}
}

func TestCompareEdgeCases(t *testing.T) {
	cases := []struct {
		name      string
		a, b      Side
		empty     bool
		wantNote  string
		wantError bool
	}{
		{"identical", Side{Settings: []byte(before), Text: []byte("x\n")}, Side{Settings: []byte(before), Text: []byte("x")}, true, "", false},
		{"no settings", Side{Text: []byte("a")}, Side{Text: []byte("a")}, true, "settings not compared", false},
		{"bad json", Side{Settings: []byte("{")}, Side{Settings: []byte(before)}, false, "", true},
		{"repeated labels", Side{Settings: []byte(`{"controls":[{"label":"On","kind":"switch","checked":true},{"label":"On","kind":"switch","checked":true}]}`)},
			Side{Settings: []byte(`{"controls":[{"label":"On","kind":"switch","checked":true},{"label":"On","kind":"switch","checked":false}]}`)}, false, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Compare(c.a, c.b)
			if (err != nil) != c.wantError {
				t.Fatalf("err = %v", err)
			}
			if err != nil {
				return
			}
			if r.Empty() != c.empty {
				t.Errorf("Empty() = %v, want %v: %+v", r.Empty(), c.empty, r)
			}
			if c.wantNote != "" && !strings.Contains(strings.Join(r.Notes, ";"), c.wantNote) {
				t.Errorf("notes %v lack %q", r.Notes, c.wantNote)
			}
			if c.name == "repeated labels" && (len(r.Settings) != 1 || r.Settings[0].Label != "On #2") {
				t.Errorf("settings %+v", r.Settings)
			}
		})
	}
}

func TestHugeTextIsBounded(t *testing.T) {
	var a, b strings.Builder
	for i := 0; i < 5000; i++ {
		a.WriteString("a line\n")
		b.WriteString("b line\n")
	}
	r, _ := Compare(Side{Text: []byte(a.String())}, Side{Text: []byte(b.String())})
	if !r.TextChanged || len(r.Text) != 10000 || !strings.Contains(strings.Join(r.Notes, ";"), "too many lines") {
		t.Errorf("lines %d notes %v", len(r.Text), r.Notes)
	}
}
