// Package specgen turns spec/ (the one owner of every fact that crosses the
// host/extension boundary: the protocol, the vocabulary, the settings.json
// artifact, the sites) into checked-in Go (internal/spec) and TypeScript
// (extension/src/shared/spec.gen.ts). Output is deterministic: object keys are
// emitted sorted, lists in the order spec/ gives them.
//
// It reads a subset of JSON Schema: type (a name, or a name and "null"),
// properties, required, additionalProperties, items, $ref to #/$defs/…, enum,
// const, oneOf, format date-time, contentEncoding base64, description, plus
// x-go-type (the Go type to use), x-go-pointer (fields Go decodes through a
// pointer, to tell absent from zero), x-vocabulary (a string from
// vocabulary.json) and x-context (settings.json fields that describe the page).
package specgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/format"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Output paths, relative to the repository root.
const (
	GoDir  = "internal/spec"
	TSFile = "extension/src/shared/spec.gen.ts"
)

// Schema is the part of JSON Schema the generator reads.
type Schema struct {
	Ref             string             `json:"$ref"`
	Type            json.RawMessage    `json:"type"`
	Format          string             `json:"format"`
	ContentEncoding string             `json:"contentEncoding"`
	Properties      map[string]*Schema `json:"properties"`
	Required        []string           `json:"required"`
	Additional      json.RawMessage    `json:"additionalProperties"`
	Items           *Schema            `json:"items"`
	Enum            []any              `json:"enum"`
	Const           any                `json:"const"`
	OneOf           []*Schema          `json:"oneOf"`
	Description     string             `json:"description"`
	Defs            map[string]*Schema `json:"$defs"`
	GoType          string             `json:"x-go-type"`
	GoPointer       []string           `json:"x-go-pointer"`
	Vocabulary      string             `json:"x-vocabulary"`
	Context         bool               `json:"x-context"`
}

func (s *Schema) types() []string {
	if len(s.Type) == 0 {
		return nil
	}
	var one string
	if json.Unmarshal(s.Type, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(s.Type, &many)
	return many
}

// additional is additionalProperties as a schema (nil when absent, false or true).
func (s *Schema) additional() *Schema {
	if len(s.Additional) == 0 || s.Additional[0] != '{' {
		return nil
	}
	var a Schema
	if json.Unmarshal(s.Additional, &a) != nil {
		return nil
	}
	return &a
}

// nonNull returns the schema without its null alternative, and whether it had one.
func (s *Schema) nonNull() (*Schema, bool) {
	ts := s.types()
	if len(ts) == 2 && slices.Contains(ts, "null") {
		c := *s
		other := ts[0]
		if other == "null" {
			other = ts[1]
		}
		c.Type, _ = json.Marshal(other)
		return &c, true
	}
	if len(s.OneOf) == 2 {
		for i, alt := range s.OneOf {
			if t := alt.types(); len(t) == 1 && t[0] == "null" {
				return s.OneOf[1-i], true
			}
		}
	}
	return s, false
}

// Message is one protocol message type.
type Message struct {
	Description string  `json:"description"`
	Request     *Schema `json:"request"`
	Reply       *Schema `json:"reply"`
	Progress    bool    `json:"progress"`
}

// Protocol is spec/protocol.json.
type Protocol struct {
	Description string             `json:"description"`
	Version     int                `json:"version"`
	Limits      map[string]Limit   `json:"limits"`
	Errors      []Word             `json:"errors"`
	Messages    map[string]Message `json:"messages"`
	Defs        map[string]*Schema `json:"$defs"`
}

// Limit is one numeric limit.
type Limit struct {
	Value       int64  `json:"value"`
	Description string `json:"description"`
}

// Word is one vocabulary entry (an error code uses Code instead of ID).
type Word struct {
	ID          string `json:"id"`
	Code        string `json:"code"`
	Title       string `json:"title"`
	MIME        string `json:"mime"`
	Description string `json:"description"`
}

func (w Word) key() string {
	if w.Code != "" {
		return w.Code
	}
	return w.ID
}

// Vocabulary is spec/vocabulary.json.
type Vocabulary struct {
	Triggers        []Word `json:"triggers"`
	Categories      []Word `json:"categories"`
	CategorySources []Word `json:"category_sources"`
	ProgressStages  []Word `json:"progress_stages"`
	EventTypes      []Word `json:"event_types"`
	Artifacts       []Word `json:"artifacts"`
	AuditSteps      []Word `json:"audit_step_statuses"`
	AuditStatuses   []Word `json:"audit_statuses"`
}

// Site is spec/sites/<id>/site.json; its rules.json sits next to it.
type Site struct {
	ID             string            `json:"id"`
	Description    string            `json:"description"`
	Optional       bool              `json:"optional"` // an opt-in identity pack: optional host permissions
	MatchPatterns  []string          `json:"match_patterns"`
	Groups         []Group           `json:"groups"`
	CategoryRoutes []CategoryRoute   `json:"category_routes"`
	CategoryTexts  []CategoryText    `json:"category_texts"`
	Checklist      map[string]string `json:"checklist"`
	dir            string
	rules          []byte // rules.json, compacted
}

// Group is a rule group the options page can switch off.
type Group struct {
	ID      string `json:"id"`
	Enabled bool   `json:"enabled"`
}

// CategoryRoute classifies a page by host and route (path + hash, lower-cased).
type CategoryRoute struct {
	ID       string   `json:"id"`
	Category string   `json:"category"`
	Hosts    []string `json:"hosts"`
	Route    string   `json:"route"`
}

// CategoryText classifies a page of the site by keywords in its text.
type CategoryText struct {
	ID       string `json:"id"`
	Category string `json:"category"`
	Text     string `json:"text"`
}

// Spec is all of spec/.
type Spec struct {
	Protocol   Protocol
	Vocabulary Vocabulary
	Settings   *Schema
	Sites      []Site
	Audit      AuditPlan
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("specgen: %w", err)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("specgen: %s: %w", path, err)
	}
	return nil
}

// Load reads the spec folder.
func Load(dir string) (*Spec, error) {
	var s Spec
	var proto struct {
		Protocol
		Schema string `json:"$schema"`
	}
	if err := readJSON(filepath.Join(dir, "protocol.json"), &proto); err != nil {
		return nil, err
	}
	s.Protocol = proto.Protocol
	var vocab struct {
		Vocabulary
		Description string `json:"description"`
	}
	if err := readJSON(filepath.Join(dir, "vocabulary.json"), &vocab); err != nil {
		return nil, err
	}
	s.Vocabulary = vocab.Vocabulary
	var settings struct {
		Schema
		Meta  string `json:"$schema"`
		Title string `json:"title"`
	}
	if err := readJSON(filepath.Join(dir, "artifacts", "settings.schema.json"), &settings); err != nil {
		return nil, err
	}
	s.Settings = &settings.Schema
	sites, err := filepath.Glob(filepath.Join(dir, "sites", "*", "site.json"))
	if err != nil {
		return nil, fmt.Errorf("specgen: %w", err)
	}
	sort.Strings(sites)
	for _, p := range sites {
		var site Site
		if err := readJSON(p, &site); err != nil {
			return nil, err
		}
		site.dir = filepath.Base(filepath.Dir(p))
		if site.ID != site.dir {
			return nil, fmt.Errorf("specgen: %s: id %q must be the folder's name", p, site.ID)
		}
		raw, err := os.ReadFile(filepath.Join(filepath.Dir(p), "rules.json"))
		if err != nil {
			return nil, fmt.Errorf("specgen: site %s has no rules.json: %w", site.ID, err)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, raw); err != nil {
			return nil, fmt.Errorf("specgen: site %s rules.json: %w", site.ID, err)
		}
		site.rules = compact.Bytes()
		s.Sites = append(s.Sites, site)
	}
	if len(s.Sites) == 0 {
		return nil, fmt.Errorf("specgen: no spec/sites/*/site.json in %s", dir)
	}
	if err := readJSON(filepath.Join(dir, "audit.json"), &s.Audit); err != nil {
		return nil, err
	}
	if err := s.checkAudit(); err != nil {
		return nil, err
	}
	return &s, s.check()
}

// check catches what would otherwise surface as a confusing compile error.
func (s *Spec) check() error {
	cats := ids(s.Vocabulary.Categories)
	for _, site := range s.Sites {
		for _, r := range site.CategoryRoutes {
			if !slices.Contains(cats, r.Category) {
				return fmt.Errorf("specgen: site %s route %s: category %q is not in vocabulary.json", site.ID, r.ID, r.Category)
			}
		}
		for _, r := range site.CategoryTexts {
			if !slices.Contains(cats, r.Category) {
				return fmt.Errorf("specgen: site %s text %s: category %q is not in vocabulary.json", site.ID, r.ID, r.Category)
			}
		}
		for c := range site.Checklist {
			if !slices.Contains(cats, c) {
				return fmt.Errorf("specgen: site %s checklist: category %q is not in vocabulary.json", site.ID, c)
			}
		}
	}
	for name, m := range s.Protocol.Messages {
		if m.Request == nil || m.Reply == nil {
			return fmt.Errorf("specgen: message %q needs a request and a reply schema", name)
		}
	}
	return nil
}

func ids(ws []Word) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.key()
	}
	return out
}

// vocab maps an x-vocabulary name to its words and TypeScript type name.
func (s *Spec) vocab(name string) ([]string, string, error) {
	switch name {
	case "triggers":
		return ids(s.Vocabulary.Triggers), "Trigger", nil
	case "categories":
		return ids(s.Vocabulary.Categories), "Category", nil
	case "category_sources":
		return ids(s.Vocabulary.CategorySources), "CategorySource", nil
	case "progress_stages":
		return ids(s.Vocabulary.ProgressStages), "ProgressStage", nil
	case "event_types":
		return ids(s.Vocabulary.EventTypes), "EventType", nil
	case "artifacts":
		return ids(s.Vocabulary.Artifacts), "ArtifactName", nil
	case "audit_step_statuses":
		return ids(s.Vocabulary.AuditSteps), "AuditStepStatus", nil
	case "audit_statuses":
		return ids(s.Vocabulary.AuditStatuses), "AuditStatus", nil
	case "errors":
		return ids(s.Protocol.Errors), "ErrorCode", nil
	}
	return nil, "", fmt.Errorf("specgen: unknown x-vocabulary %q", name)
}

// initialisms are written in capitals in Go names.
var initialisms = map[string]string{"id": "ID", "ids": "IDs", "url": "URL", "json": "JSON", "api": "API", "sha256": "SHA256",
	"mime": "MIME", "tz": "TZ", "png": "PNG", "html": "HTML", "txt": "TXT", "mhtml": "MHTML", "dom": "DOM", "sso": "SSO", "ok": "OK"}

// Pascal turns "snapshot.begin", "upload_id" or "api-keys" into "SnapshotBegin", "UploadID", "APIKeys".
func Pascal(s string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == '_' || r == '-' || r == ' ' }) {
		if up, ok := initialisms[strings.ToLower(part)]; ok {
			b.WriteString(up)
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Generate returns every output file, keyed by its path relative to the repository root.
func Generate(s *Spec) (map[string][]byte, error) {
	out := map[string][]byte{}
	goFiles := map[string]func(*Spec) (string, error){
		"protocol_gen.go": goProtocol,
		"vocab_gen.go":    goVocab,
		"sites_gen.go":    goSites,
		"settings_gen.go": goSettings,
		"rules_gen.go":    goRules,
		"audit_gen.go":    goAudit,
	}
	for _, name := range sortedKeys(goFiles) {
		src, err := goFiles[name](s)
		if err != nil {
			return nil, err
		}
		b, err := format.Source([]byte(src))
		if err != nil {
			return nil, fmt.Errorf("specgen: gofmt %s: %w\n%s", name, err, src)
		}
		out[filepath.ToSlash(filepath.Join(GoDir, name))] = b
	}
	ts, err := tsFile(s)
	if err != nil {
		return nil, err
	}
	out[TSFile] = []byte(ts)
	return out, nil
}

// Write generates into outRoot (the repository root, or a scratch copy).
func Write(specDir, outRoot string) ([]string, error) {
	s, err := Load(specDir)
	if err != nil {
		return nil, err
	}
	files, err := Generate(s)
	if err != nil {
		return nil, err
	}
	names := sortedKeys(files)
	for _, name := range names {
		p := filepath.Join(outRoot, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, fmt.Errorf("specgen: %w", err)
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return nil, fmt.Errorf("specgen: %w", err)
		}
	}
	return names, nil
}

const header = "Code generated by internal/specgen from spec/; DO NOT EDIT. Run `make generate`."

// comment writes a description as Go or TS line comments.
func comment(b *strings.Builder, indent, text string) {
	if text == "" {
		return
	}
	for _, line := range strings.Split(text, "\n") {
		fmt.Fprintf(b, "%s// %s\n", indent, line)
	}
}

func tsDoc(b *strings.Builder, indent, text string) {
	if text == "" {
		return
	}
	fmt.Fprintf(b, "%s/** %s */\n", indent, strings.ReplaceAll(text, "*/", "* /"))
}

func quote(s string) string { return strconv.Quote(s) }

// tsString quotes s for TypeScript with single quotes.
func tsString(s string) string {
	b, _ := json.Marshal(s)
	inner := string(b[1 : len(b)-1])
	inner = strings.ReplaceAll(inner, `\"`, `"`)
	inner = strings.ReplaceAll(inner, `'`, `\'`)
	return "'" + inner + "'"
}
