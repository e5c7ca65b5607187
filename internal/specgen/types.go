package specgen

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// typer turns schemas into Go and TypeScript types. Inline objects become
// named types (parent name + field name); $defs are named with prefix + name.
type typer struct {
	spec    *Spec
	defs    map[string]*Schema
	prefix  string             // prepended to $defs names
	named   map[string]*Schema // every named object type to emit
	order   []string
	imports map[string]bool // Go packages the types use
	vocabTS map[string]bool // vocabulary TS types the types use
}

func newTyper(s *Spec, defs map[string]*Schema, prefix string) *typer {
	return &typer{spec: s, defs: defs, prefix: prefix, named: map[string]*Schema{}, imports: map[string]bool{}, vocabTS: map[string]bool{}}
}

func (t *typer) refName(ref string) (string, *Schema, error) {
	name, ok := strings.CutPrefix(ref, "#/$defs/")
	if !ok {
		return "", nil, fmt.Errorf("specgen: only #/$defs/ references are supported, not %q", ref)
	}
	d, ok := t.defs[name]
	if !ok {
		return "", nil, fmt.Errorf("specgen: %s is not defined", ref)
	}
	return t.prefix + name, d, nil
}

func (t *typer) add(name string, s *Schema) {
	if _, ok := t.named[name]; !ok {
		t.named[name] = s
		t.order = append(t.order, name)
	}
}

// isStruct says whether s becomes a named object type.
func isStruct(s *Schema) bool {
	ts := s.types()
	return len(ts) == 1 && ts[0] == "object" && (len(s.Properties) > 0 || s.additional() == nil)
}

func (t *typer) goType(s *Schema, hint string) (string, error) {
	if s.GoType != "" {
		if strings.Contains(s.GoType, "json.") {
			t.imports["encoding/json"] = true
		}
		return s.GoType, nil
	}
	if s.Ref != "" {
		name, d, err := t.refName(s.Ref)
		if err != nil {
			return "", err
		}
		if isStruct(d) {
			t.add(name, d)
		}
		return name, nil
	}
	if inner, null := s.nonNull(); null {
		g, err := t.goType(inner, hint)
		return "*" + g, err
	}
	ts := s.types()
	typ := ""
	if len(ts) == 1 {
		typ = ts[0]
	}
	switch typ {
	case "string":
		switch {
		case s.Format == "date-time":
			return "Time", nil // internal/spec/time.go: milliseconds on the wire
		case s.ContentEncoding == "base64":
			return "[]byte", nil
		}
		return "string", nil
	case "integer":
		return "int", nil
	case "number":
		return "float64", nil
	case "boolean":
		return "bool", nil
	case "array":
		if s.Items == nil {
			return "", fmt.Errorf("specgen: %s: an array needs items", hint)
		}
		e, err := t.goType(s.Items, hint+"Item")
		return "[]" + e, err
	case "object":
		if a := s.additional(); a != nil && len(s.Properties) == 0 {
			v, err := t.goType(a, hint+"Value")
			return "map[string]" + v, err
		}
		t.add(hint, s)
		return hint, nil
	}
	switch c := s.Const.(type) {
	case float64:
		return "int", nil
	case string:
		_ = c
		return "string", nil
	}
	t.imports["encoding/json"] = true
	return "json.RawMessage", nil
}

var tsIdent = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)

func tsKey(k string) string {
	if tsIdent.MatchString(k) {
		return k
	}
	return tsString(k)
}

func (t *typer) tsType(s *Schema, hint string) (string, error) {
	if s.Ref != "" {
		name, d, err := t.refName(s.Ref)
		if err != nil {
			return "", err
		}
		if isStruct(d) {
			t.add(name, d)
		}
		if d.Vocabulary != "" {
			_, vt, err := t.spec.vocab(d.Vocabulary)
			if err != nil {
				return "", err
			}
			t.vocabTS[vt] = true
			return vt, nil
		}
		return name, nil
	}
	if s.Vocabulary != "" {
		_, vt, err := t.spec.vocab(s.Vocabulary)
		t.vocabTS[vt] = true
		return vt, err
	}
	if inner, null := s.nonNull(); null {
		x, err := t.tsType(inner, hint)
		return x + " | null", err
	}
	if s.Const != nil {
		b, _ := json.Marshal(s.Const)
		if str, ok := s.Const.(string); ok {
			return tsString(str), nil
		}
		return string(b), nil
	}
	if len(s.OneOf) > 0 {
		var alts []string
		for i, alt := range s.OneOf {
			x, err := t.tsType(alt, fmt.Sprintf("%s%d", hint, i))
			if err != nil {
				return "", err
			}
			alts = append(alts, x)
		}
		return strings.Join(alts, " | "), nil
	}
	if len(s.Enum) > 0 {
		var alts []string
		for _, e := range s.Enum {
			b, _ := json.Marshal(e)
			if str, ok := e.(string); ok {
				alts = append(alts, tsString(str))
			} else {
				alts = append(alts, string(b))
			}
		}
		return strings.Join(alts, " | "), nil
	}
	ts := s.types()
	typ := ""
	if len(ts) == 1 {
		typ = ts[0]
	}
	switch typ {
	case "string":
		return "string", nil
	case "integer", "number":
		return "number", nil
	case "boolean":
		return "boolean", nil
	case "array":
		if s.Items == nil {
			return "", fmt.Errorf("specgen: %s: an array needs items", hint)
		}
		e, err := t.tsType(s.Items, hint+"Item")
		if strings.Contains(e, " | ") {
			e = "(" + e + ")"
		}
		return e + "[]", err
	case "object":
		if a := s.additional(); a != nil && len(s.Properties) == 0 {
			v, err := t.tsType(a, hint+"Value")
			return "Record<string, " + v + ">", err
		}
		t.add(hint, s)
		return hint, nil
	}
	return "unknown", nil
}

// goStruct writes `type name struct {…}` with fields sorted by JSON name.
func (t *typer) goStruct(b *strings.Builder, name string, s *Schema) error {
	if s.Description == "" {
		comment(b, "", name+" is generated from spec/.")
	} else {
		comment(b, "", name+": "+s.Description)
	}
	if len(s.Properties) == 0 {
		fmt.Fprintf(b, "type %s struct{}\n\n", name)
		return nil
	}
	fmt.Fprintf(b, "type %s struct {\n", name)
	for _, k := range sortedKeys(s.Properties) {
		p := s.Properties[k]
		g, err := t.goType(p, name+Pascal(k))
		if err != nil {
			return err
		}
		tag := k
		required := slices.Contains(s.Required, k)
		if slices.Contains(s.GoPointer, k) && !strings.HasPrefix(g, "*") {
			g = "*" + g
		}
		if !required {
			tag += ",omitempty"
		}
		comment(b, "\t", p.Description)
		fmt.Fprintf(b, "\t%s %s `json:%s`\n", Pascal(k), g, quote(tag))
	}
	b.WriteString("}\n\n")
	return nil
}

// goNamed emits every named type reached so far, and those they reach.
func (t *typer) goNamed(b *strings.Builder) error { return t.eachNamed(b, t.goStruct) }

// eachNamed emits, with emit, every named type reached so far and those that emitting them reaches,
// in sorted batches (emitting a type can name new ones).
func (t *typer) eachNamed(b *strings.Builder, emit func(*strings.Builder, string, *Schema) error) error {
	done := map[string]bool{}
	for {
		var next []string
		for _, n := range t.order {
			if !done[n] {
				next = append(next, n)
			}
		}
		if len(next) == 0 {
			return nil
		}
		slices.Sort(next)
		for _, n := range next {
			done[n] = true
			if err := emit(b, n, t.named[n]); err != nil {
				return err
			}
		}
	}
}

func (t *typer) tsInterface(b *strings.Builder, name string, s *Schema) error {
	tsDoc(b, "", s.Description)
	if len(s.Properties) == 0 {
		fmt.Fprintf(b, "export type %s = Record<string, never>;\n\n", name)
		return nil
	}
	fmt.Fprintf(b, "export interface %s {\n", name)
	for _, k := range sortedKeys(s.Properties) {
		p := s.Properties[k]
		x, err := t.tsType(p, name+Pascal(k))
		if err != nil {
			return err
		}
		opt := "?"
		if slices.Contains(s.Required, k) {
			opt = ""
		}
		tsDoc(b, "  ", p.Description)
		fmt.Fprintf(b, "  %s%s: %s;\n", tsKey(k), opt, x)
	}
	b.WriteString("}\n\n")
	return nil
}

func (t *typer) tsNamed(b *strings.Builder) error { return t.eachNamed(b, t.tsInterface) }

func goImports(b *strings.Builder, imports map[string]bool) {
	if len(imports) == 0 {
		return
	}
	b.WriteString("import (\n")
	for _, p := range sortedKeys(imports) {
		fmt.Fprintf(b, "\t%q\n", p)
	}
	b.WriteString(")\n\n")
}
