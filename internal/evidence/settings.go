package evidence

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ringfence/ringfence/internal/spec"
)

// SettingRow is one line of a snapshot's structured-settings table.
type SettingRow struct {
	Section string `json:"section"`
	Label   string `json:"label"`
	Value   string `json:"value"` // "ON", "OFF" and "(none)" are worded by the report
	Kind    string `json:"kind,omitempty"`
}

// maxSettingRows caps one snapshot's table; the full settings.json is in the kit.
const maxSettingRows = 400

// valueKeys are the fields that hold a control's state, in preference order.
var valueKeys = []string{"state", "checked", "selected_text", "value", "selected", "on", "enabled", "text"}

// settingRows turns settings.json into readable rows without assuming its exact
// schema: objects with a label become "label: state" rows; anything else is
// flattened to "path: value".
func settingRows(raw []byte) ([]SettingRow, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("settings.json is not JSON: %w", err)
	}
	var rows []SettingRow
	walkSettings(&rows, "", "", v, false)
	if len(rows) > maxSettingRows {
		rows = append(rows[:maxSettingRows], SettingRow{Label: "…", Value: "more rows in settings.json"})
	}
	return rows, nil
}

// inList is set for array elements: there "name" or "title" labels a row
// (an API key, a project); in a plain object ("account") it is a field.
func walkSettings(rows *[]SettingRow, section, path string, v any, inList bool) {
	if len(*rows) > maxSettingRows {
		return
	}
	switch t := v.(type) {
	case map[string]any:
		if label, ok := labelOf(t, inList); ok {
			v, kind := stateOf(t)
			*rows = append(*rows, SettingRow{Section: section, Label: label, Value: v, Kind: kind})
			return
		}
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			// Parts that describe the page rather than a setting: the table
			// leaves them out (the file keeps them).
			if path == "" && slices.Contains(spec.SettingsContextFields, k) {
				continue
			}
			sec := section
			if path == "" {
				sec = k
			}
			walkSettings(rows, sec, join(path, k), t[k], false)
		}
	case []any:
		if len(t) == 0 {
			*rows = append(*rows, SettingRow{Section: section, Label: labelFor(path), Value: "(none)"})
		}
		for i, e := range t {
			walkSettings(rows, section, path+"["+strconv.Itoa(i)+"]", e, true)
		}
	default:
		*rows = append(*rows, SettingRow{Section: section, Label: labelFor(path), Value: scalar(t)})
	}
}

// labelFor words a settings.json path for people: its last name without
// indexes, "account.linked_services[0]" → "Linked services". A path that is
// only a section name ("controls") reads "—": the section column names it.
func labelFor(path string) string {
	if !strings.Contains(path, ".") && !strings.Contains(path, "[") {
		return "—"
	}
	last := path[strings.LastIndexByte(path, '.')+1:]
	if i := strings.IndexByte(last, '['); i >= 0 {
		last = last[:i]
	}
	w := strings.ToLower(spaceWords(last))
	if w == "" {
		return path
	}
	return strings.ToUpper(w[:1]) + w[1:]
}

func labelOf(m map[string]any, inList bool) (string, bool) {
	keys := []string{"label"}
	if inList {
		keys = append(keys, "name", "title")
	}
	for _, k := range keys {
		if s, ok := m[k].(string); ok && s != "" {
			return s, true
		}
	}
	return "", false
}

func stateOf(m map[string]any) (value, kind string) {
	for _, k := range valueKeys {
		if v, ok := m[k]; ok {
			if kind, ok := m["kind"].(string); ok && kind != "" {
				return scalar(v), kind
			} else if kind, ok := m["type"].(string); ok && kind != "" {
				return scalar(v), kind
			}
			return scalar(v), ""
		}
	}
	// No state field: show the remaining fields compactly.
	var parts []string
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "label" || k == "name" || k == "title" {
			continue
		}
		parts = append(parts, labelFor("."+k)+": "+scalar(m[k]))
	}
	return strings.Join(parts, "; "), ""
}

func scalar(v any) string {
	switch t := v.(type) {
	case nil:
		return "—"
	case bool:
		if t {
			return "ON"
		}
		return "OFF"
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	default:
		b, _ := json.Marshal(t)
		return string(b)
	}
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}
