package evidence

import (
	"fmt"
	"strings"
	"testing"
)

func TestSettingRows(t *testing.T) {
	// The shape the extension writes (extension/src/injected/settings.ts).
	raw := `{"version":1,"url":"https://chatgpt.com/#settings/DataControls","route":{"host":"chatgpt.com","path":"/","hash":"#settings/DataControls"},
	"lang":"en","headings":["Settings"],"dialogs":[{"role":"dialog","label":"Settings"}],
	"controls":[{"label":"Improve the model for everyone","kind":"switch","checked":true},
	            {"label":"Theme","kind":"select","value":"dark","selected_text":"Dark","options":["System","Dark"]},
	            {"label":"Memory","kind":"checkbox","checked":"mixed","value":"on"}],
	"fields":[{"label":"Email","value":"jane@example.com"}],
	"account":{"email":"jane@example.com","name":"Jane","linked_services":["Google"]},
	"api_keys":[{"name":"prod","prefix":"sk-...a1B2","created":"Jan 4, 2025"}],
	"tables":[{"headers":["a"],"rows":[["b"]]}]}`
	rows, err := settingRows([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, fmt.Sprintf("%s|%s|%s|%s", r.Section, r.Label, r.Value, r.Kind))
	}
	want := []string{
		"account|Email|jane@example.com|",
		"account|Linked services|Google|",
		"account|Name|Jane|",
		"api_keys|prod|Created: Jan 4, 2025; Prefix: sk-...a1B2|",
		"controls|Improve the model for everyone|ON|switch",
		"controls|Theme|Dark|select",
		"controls|Memory|mixed|checkbox",
		"fields|Email|jane@example.com|",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// An empty list is one row that the section names, not "controls controls (none)".
	if rows, _ := settingRows([]byte(`{"controls":[]}`)); len(rows) != 1 || rows[0] != (SettingRow{Section: "controls", Label: "—", Value: "(none)"}) {
		t.Errorf("empty list rows = %+v", rows)
	}
	if _, err := settingRows([]byte("{not json")); err == nil {
		t.Error("bad JSON accepted")
	}
	many := "[" + strings.Repeat(`{"label":"x","checked":true},`, maxSettingRows+50) + `{"label":"y"}]`
	if rows, _ := settingRows([]byte(many)); len(rows) != maxSettingRows+1 {
		t.Errorf("%d rows, want the cap %d plus a note", len(rows), maxSettingRows+1)
	}
}
