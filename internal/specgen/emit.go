package specgen

import (
	"fmt"
	"path"
	"strings"
)

func goHeader(b *strings.Builder) {
	b.WriteString("// " + header + "\n\n")
	b.WriteString("package spec\n\n")
}

// goProtocol: message type names, request/reply types, limits, error codes.
func goProtocol(s *Spec) (string, error) {
	p := s.Protocol
	t := newTyper(s, p.Defs, "")
	var body strings.Builder
	fmt.Fprintf(&body, "// ProtocolVersion is hello's protocol_version.\nconst ProtocolVersion = %d\n\n", p.Version)

	names := sortedKeys(p.Messages)
	body.WriteString("// Message types.\nconst (\n")
	for _, n := range names {
		comment(&body, "\t", p.Messages[n].Description)
		fmt.Fprintf(&body, "\tMsg%s = %q\n", Pascal(n), n)
	}
	body.WriteString(")\n\n// MessageTypes lists every message type, sorted.\nvar MessageTypes = []string{")
	for i, n := range names {
		if i > 0 {
			body.WriteString(", ")
		}
		fmt.Fprintf(&body, "Msg%s", Pascal(n))
	}
	body.WriteString("}\n\n// ProgressTypes lists the message types that send progress frames.\nvar ProgressTypes = []string{")
	first := true
	for _, n := range names {
		if p.Messages[n].Progress {
			if !first {
				body.WriteString(", ")
			}
			first = false
			fmt.Fprintf(&body, "Msg%s", Pascal(n))
		}
	}
	body.WriteString("}\n\n")

	body.WriteString("// Limits.\nconst (\n")
	for _, k := range sortedKeys(p.Limits) {
		comment(&body, "\t", p.Limits[k].Description)
		fmt.Fprintf(&body, "\t%s = %d\n", Pascal(k), p.Limits[k].Value)
	}
	body.WriteString(")\n\n// Error codes: stable strings. Never rename or reuse one; add new ones at the end.\nconst (\n")
	for _, e := range p.Errors {
		comment(&body, "\t", e.Description)
		fmt.Fprintf(&body, "\tCode%s = %q\n", Pascal(e.Code), e.Code)
	}
	body.WriteString(")\n\n// ErrorCodes lists every code, in documentation order.\nvar ErrorCodes = []string{")
	for i, e := range p.Errors {
		if i > 0 {
			body.WriteString(", ")
		}
		fmt.Fprintf(&body, "Code%s", Pascal(e.Code))
	}
	body.WriteString("}\n\n")

	// Value types first ($defs that are not objects), then every object type.
	for _, d := range sortedKeys(p.Defs) {
		def := p.Defs[d]
		if isStruct(def) {
			t.add(d, def)
			continue
		}
		g, err := t.goType(&Schema{Type: def.Type, Format: def.Format, ContentEncoding: def.ContentEncoding, Items: def.Items, Additional: def.Additional, GoType: def.GoType}, d)
		if err != nil {
			return "", err
		}
		comment(&body, "", def.Description)
		fmt.Fprintf(&body, "type %s = %s\n\n", d, g)
	}
	for _, n := range names {
		m := p.Messages[n]
		t.add(Pascal(n)+"Request", withDoc(m.Request, "the body of a "+n+" request."))
		t.add(Pascal(n)+"Reply", withDoc(m.Reply, "the body of the reply to "+n+"."))
	}
	if err := t.goNamed(&body); err != nil {
		return "", err
	}
	var b strings.Builder
	goHeader(&b)
	goImports(&b, t.imports)
	b.WriteString(body.String())
	return b.String(), nil
}

func goWords(b *strings.Builder, doc, prefix, list string, ws []Word) {
	fmt.Fprintf(b, "// %s\nconst (\n", doc)
	for _, w := range ws {
		d := w.Description
		if d == "" {
			d = w.Title
		}
		comment(b, "\t", d)
		fmt.Fprintf(b, "\t%s%s = %q\n", prefix, Pascal(w.key()), w.key())
	}
	fmt.Fprintf(b, ")\n\n// %s lists them in spec order.\nvar %s = []string{", list, list)
	for i, w := range ws {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(b, "%s%s", prefix, Pascal(w.key()))
	}
	b.WriteString("}\n\n")
}

func goVocab(s *Spec) (string, error) {
	v := s.Vocabulary
	var b strings.Builder
	goHeader(&b)
	goWords(&b, "Snapshot triggers.", "Trigger", "Triggers", v.Triggers)
	goWords(&b, "Evidence categories.", "Category", "Categories", v.Categories)
	goWords(&b, "Who chose a snapshot's category.", "CategorySource", "CategorySources", v.CategorySources)
	goWords(&b, "Progress stages.", "Stage", "ProgressStages", v.ProgressStages)
	goWords(&b, "Event types the extension logs.", "Event", "EventTypes", v.EventTypes)
	goWords(&b, "Artifact names.", "Artifact", "ArtifactNames", v.Artifacts)
	goWords(&b, "How one audit page ended.", "AuditStep", "AuditStepStatuses", v.AuditSteps)
	goWords(&b, "Where an audit is.", "Audit", "AuditStatuses", v.AuditStatuses)
	b.WriteString("// CategoryTitles names each category for people.\nvar CategoryTitles = map[string]string{\n")
	for _, c := range v.Categories {
		fmt.Fprintf(&b, "\tCategory%s: %q,\n", Pascal(c.ID), c.Title)
	}
	b.WriteString("}\n")
	return b.String(), nil
}

func goSites(s *Spec) (string, error) {
	var b strings.Builder
	goHeader(&b)
	b.WriteString(`// Site is one spec/sites/<id> folder: one identity. Optional sites are the
// opt-in packs; Checklist is its own wording, in category order.
type Site struct {
	ID            string
	Optional      bool
	MatchPatterns []string
	Groups        []string
	Checklist     []ChecklistEntry
}

// ChecklistEntry is one row of the evidence kit's checklist: a category and
// what to capture for it (in Checklist: the default sites' wording joined).
type ChecklistEntry struct {
	Category string
	Title    string
	Capture  string
}

`)
	b.WriteString("// Sites lists every site, sorted by id.\nvar Sites = []Site{\n")
	for _, site := range s.Sites {
		fmt.Fprintf(&b, "\t{ID: %q, Optional: %t, MatchPatterns: []string{", site.ID, site.Optional)
		for i, m := range site.MatchPatterns {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%q", m)
		}
		b.WriteString("}, Groups: []string{")
		for i, g := range site.Groups {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%q", g.ID)
		}
		b.WriteString("}, Checklist: []ChecklistEntry{")
		first := true
		for _, c := range s.Vocabulary.Categories {
			if w := site.Checklist[c.ID]; w != "" {
				if !first {
					b.WriteString(", ")
				}
				first = false
				fmt.Fprintf(&b, "{Category: Category%s, Title: %q, Capture: %q}", Pascal(c.ID), c.Title, w)
			}
		}
		b.WriteString("}},\n")
	}
	b.WriteString("}\n\n// Checklist lists, in category order, the categories some default (not opt-in) site says how to capture.\nvar Checklist = []ChecklistEntry{\n")
	for _, c := range s.Vocabulary.Categories {
		var parts []string
		for _, site := range s.Sites {
			if site.Optional {
				continue
			}
			if w := site.Checklist[c.ID]; w != "" {
				parts = append(parts, w)
			}
		}
		if len(parts) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\t{Category: Category%s, Title: %q, Capture: %q},\n", Pascal(c.ID), c.Title, strings.Join(parts, " "))
	}
	b.WriteString("}\n")
	return b.String(), nil
}

// goRules: each site's rules.json as compact JSON, for `ringfence rules` (the
// rules, their provenance and the site's identity facts, as the extension has them).
func goRules(s *Spec) (string, error) {
	var b strings.Builder
	goHeader(&b)
	b.WriteString(`// SiteRulesFile is one spec/sites/<id>/rules.json.
type SiteRulesFile struct {
	Site     string
	Optional bool
	JSON     string
}

// SiteRules lists every site's rules.json, sorted by site id.
var SiteRules = []SiteRulesFile{
`)
	for _, site := range s.Sites {
		fmt.Fprintf(&b, "\t{Site: %q, Optional: %t, JSON: %q},\n", site.ID, site.Optional, site.rules)
	}
	b.WriteString("}\n")
	return b.String(), nil
}

func goSettings(s *Spec) (string, error) {
	t := newTyper(s, s.Settings.Defs, "Settings")
	var body strings.Builder
	body.WriteString("// SettingsContextFields are the top-level settings.json fields that describe\n// the page rather than a setting (x-context in spec/artifacts/settings.schema.json).\nvar SettingsContextFields = []string{")
	first := true
	for _, k := range sortedKeys(s.Settings.Properties) {
		if s.Settings.Properties[k].Context {
			if !first {
				body.WriteString(", ")
			}
			first = false
			fmt.Fprintf(&body, "%q", k)
		}
	}
	body.WriteString("}\n\n")
	root := *s.Settings
	root.Description = "settings.json (spec/artifacts/settings.schema.json)."
	t.add("SettingsArtifact", &root)
	if err := t.goNamed(&body); err != nil {
		return "", err
	}
	var b strings.Builder
	goHeader(&b)
	goImports(&b, t.imports)
	b.WriteString(body.String())
	return b.String(), nil
}

func tsWords(b *strings.Builder, doc, constName, typeName string, ws []Word) {
	tsDoc(b, "", doc)
	fmt.Fprintf(b, "export const %s = [", constName)
	for i, w := range ws {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(tsString(w.key()))
	}
	fmt.Fprintf(b, "] as const;\nexport type %s = typeof %s[number];\n\n", typeName, constName)
}

// tsList writes strings as a TypeScript array literal.
func tsList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = tsString(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func tsFile(s *Spec) (string, error) {
	p := s.Protocol
	var b strings.Builder
	b.WriteString("// " + header + "\n")
	b.WriteString("// The contract with the host (spec/protocol.json), the shared vocabulary (spec/vocabulary.json), the\n// settings.json artifact (spec/artifacts/settings.schema.json) and the sites (spec/sites/*).\n")
	for _, site := range s.Sites {
		fmt.Fprintf(&b, "import rules%s from '%s';\n", Pascal(site.ID), path.Join("../../../spec/sites", site.ID, "rules.json"))
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "export const PROTOCOL_VERSION = %d;\n\n", p.Version)
	b.WriteString("export const LIMITS = {\n")
	for _, k := range sortedKeys(p.Limits) {
		tsDoc(&b, "  ", p.Limits[k].Description)
		fmt.Fprintf(&b, "  %s: %d,\n", k, p.Limits[k].Value)
	}
	b.WriteString("} as const;\n\n")
	v := s.Vocabulary
	tsWords(&b, "Snapshot triggers.", "TRIGGERS", "Trigger", v.Triggers)
	tsWords(&b, "Evidence categories.", "CATEGORIES", "Category", v.Categories)
	tsWords(&b, "Who chose a snapshot's category.", "CATEGORY_SOURCES", "CategorySource", v.CategorySources)
	tsWords(&b, "Progress stages.", "PROGRESS_STAGES", "ProgressStage", v.ProgressStages)
	tsWords(&b, "Event types the extension logs.", "EVENT_TYPES", "EventType", v.EventTypes)
	tsWords(&b, "Artifact names.", "ARTIFACT_NAMES", "ArtifactName", v.Artifacts)
	tsWords(&b, "How one audit page ended.", "AUDIT_STEP_STATUSES", "AuditStepStatus", v.AuditSteps)
	tsWords(&b, "Where an audit is.", "AUDIT_STATUSES", "AuditStatus", v.AuditStatuses)
	tsWords(&b, "The host's error codes (and `disconnected`, the extension's own for a dropped port, is not one).", "ERROR_CODES", "ErrorCode", p.Errors)
	names := sortedKeys(p.Messages)
	b.WriteString("/** Every message type the host answers. */\nexport const MESSAGE_TYPES = [")
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(tsString(n))
	}
	b.WriteString("] as const;\n\n")

	t := newTyper(s, p.Defs, "")
	for _, d := range sortedKeys(p.Defs) {
		if isStruct(p.Defs[d]) {
			t.add(d, p.Defs[d])
		}
	}
	for _, n := range names {
		t.add(Pascal(n)+"Request", withDoc(p.Messages[n].Request, "the body of a "+n+" request."))
		t.add(Pascal(n)+"Reply", withDoc(p.Messages[n].Reply, "the body of the reply to "+n+"."))
	}
	if err := t.tsNamed(&b); err != nil {
		return "", err
	}
	b.WriteString("/** Request body, reply body and progress frame of each message type: `request<'snapshot.list'>(body)`\n * takes a SnapshotListRequest and resolves with a SnapshotListReply. */\nexport interface HostRequests {\n")
	for _, n := range names {
		prog := "never"
		if p.Messages[n].Progress {
			prog = "Progress"
		}
		fmt.Fprintf(&b, "  %s: { request: %sRequest; reply: %sReply; progress: %s };\n", tsString(n), Pascal(n), Pascal(n), prog)
	}
	b.WriteString("}\nexport type HostRequestType = keyof HostRequests;\n\n")

	st := newTyper(s, s.Settings.Defs, "Settings")
	root := *s.Settings
	root.Description = "settings.json (spec/artifacts/settings.schema.json)."
	st.add("SettingsArtifact", &root)
	if err := st.tsNamed(&b); err != nil {
		return "", err
	}
	var ctx []string
	for _, k := range sortedKeys(s.Settings.Properties) {
		if s.Settings.Properties[k].Context {
			ctx = append(ctx, k)
		}
	}
	fmt.Fprintf(&b, "/** settings.json fields that describe the page rather than a setting. */\nexport const SETTINGS_CONTEXT_FIELDS = %s as const;\n\n", tsList(ctx))

	b.WriteString(`/** Classifies a page of a site by host and route (path + hash, lower-cased; the route is a regex). */
export interface CategoryRoute { id: string; category: Category; hosts: readonly string[]; route: string }
/** Classifies a page of a site by keywords in its text (a case-insensitive regex). */
export interface CategoryText { id: string; category: Category; text: string }
/** One spec/sites/<id> folder. */
export interface SiteSpec {
  id: string;
  /** An opt-in identity pack: its match patterns are optional host permissions, asked for from the options page. */
  optional: boolean;
  /** WebExtension match patterns: the manifest's host_permissions and content script matches (optional ones for an opt-in site). */
  matchPatterns: readonly string[];
  /** Rule groups and whether each is on by default. */
  groups: Readonly<Record<string, boolean>>;
  categoryRoutes: readonly CategoryRoute[];
  categoryTexts: readonly CategoryText[];
}

export const SITES: readonly SiteSpec[] = [
`)
	for _, site := range s.Sites {
		groups := map[string]bool{}
		for _, g := range site.Groups {
			groups[g.ID] = g.Enabled
		}
		fmt.Fprintf(&b, "  {\n    id: %s,\n    optional: %t,\n    matchPatterns: %s,\n    groups: { ", tsString(site.ID), site.Optional, tsList(site.MatchPatterns))
		for i, g := range site.Groups {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s: %t", tsKey(g.ID), g.Enabled)
		}
		b.WriteString(" },\n    categoryRoutes: [\n")
		for _, r := range site.CategoryRoutes {
			fmt.Fprintf(&b, "      { id: %s, category: %s, hosts: %s, route: %s },\n", tsString(r.ID), tsString(r.Category), tsList(r.Hosts), tsString(r.Route))
		}
		b.WriteString("    ],\n    categoryTexts: [\n")
		for _, r := range site.CategoryTexts {
			fmt.Fprintf(&b, "      { id: %s, category: %s, text: %s },\n", tsString(r.ID), tsString(r.Category), tsString(r.Text))
		}
		b.WriteString("    ],\n  },\n")
	}
	b.WriteString("];\n\n/** Each site's rules.json (spec/sites/<id>/rules.json), in SITES order. */\nexport const SITE_RULES = [")
	ids := make([]string, 0, len(s.Sites))
	for _, site := range s.Sites {
		ids = append(ids, "rules"+Pascal(site.ID))
	}
	b.WriteString(strings.Join(ids, ", "))
	b.WriteString("] as const;\n")
	tsAudit(&b, s)
	return b.String(), nil
}

// withDoc gives a message's body schema a description when it has none.
func withDoc(s *Schema, doc string) *Schema {
	if s.Description != "" {
		return s
	}
	c := *s
	c.Description = doc
	return &c
}
