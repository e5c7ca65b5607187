package specgen

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// AuditPlan is spec/audit.json: the pages the guided audit visits.
type AuditPlan struct {
	Description         string          `json:"description"`
	DefaultIntervalDays int             `json:"default_interval_days"`
	SettleMS            int             `json:"settle_ms"`
	TimeoutMS           int             `json:"timeout_ms"`
	MaxProjects         int             `json:"max_projects"`
	SignIn              []AuditSignIn   `json:"sign_in"`
	Steps               []AuditPlanStep `json:"steps"`
}

// AuditSignIn says a page of Host whose path matches Path (a regex) is a sign-in page.
type AuditSignIn struct {
	Host string `json:"host"`
	Path string `json:"path"`
}

// AuditPlanStep is one page of the audit. A per-project step's URL has
// {project} and is visited once for each project the discovering step found.
type AuditPlanStep struct {
	ID                string `json:"id"`
	Title             string `json:"title"`
	URL               string `json:"url"`
	Role              string `json:"role"`
	Ready             string `json:"ready"`
	DiscoversProjects bool   `json:"discovers_projects"`
	PerProject        bool   `json:"per_project"`
}

// auditRoles: consumer products, the API platform, the account as a whole (the identity check).
var auditRoles = map[string]bool{"consumer": true, "api": true, "account": true}

func (s *Spec) checkAudit() error {
	a := s.Audit
	if a.DefaultIntervalDays < 1 || a.SettleMS < 0 || a.TimeoutMS < 1000 || a.MaxProjects < 1 {
		return fmt.Errorf("specgen: audit.json: default_interval_days, settle_ms, timeout_ms or max_projects out of range")
	}
	for _, si := range a.SignIn {
		if _, err := regexp.Compile(si.Path); err != nil {
			return fmt.Errorf("specgen: audit.json sign_in %s: %w", si.Host, err)
		}
	}
	seen := map[string]bool{}
	discovers := false
	for _, st := range a.Steps {
		if seen[st.ID] || st.ID == "" {
			return fmt.Errorf("specgen: audit.json: step id %q is empty or repeated", st.ID)
		}
		seen[st.ID] = true
		if !auditRoles[st.Role] {
			return fmt.Errorf("specgen: audit.json step %s: role %q is not consumer, api or account", st.ID, st.Role)
		}
		if strings.Contains(st.URL, "{project}") != st.PerProject {
			return fmt.Errorf("specgen: audit.json step %s: {project} in the URL exactly when per_project", st.ID)
		}
		if st.PerProject && !discovers {
			return fmt.Errorf("specgen: audit.json step %s: per_project needs a discovers_projects step before it", st.ID)
		}
		discovers = discovers || st.DiscoversProjects
		u, err := url.Parse(strings.ReplaceAll(st.URL, "{project}", "proj_x"))
		if err != nil || u.Scheme != "https" {
			return fmt.Errorf("specgen: audit.json step %s: %q is not an https URL", st.ID, st.URL)
		}
		if !s.covered(u.Host) {
			return fmt.Errorf("specgen: audit.json step %s: no default site's match_patterns cover %s", st.ID, u.Host)
		}
	}
	return nil
}

// covered reports whether a default (not opt-in) site's match patterns include host.
func (s *Spec) covered(host string) bool {
	for _, site := range s.Sites {
		if site.Optional {
			continue
		}
		for _, m := range site.MatchPatterns {
			h := strings.TrimSuffix(strings.TrimPrefix(m, "https://"), "/*")
			if h == host || (strings.HasPrefix(h, "*.") && strings.HasSuffix(host, h[1:])) {
				return true
			}
		}
	}
	return false
}

func goAudit(s *Spec) (string, error) {
	a := s.Audit
	var b strings.Builder
	goHeader(&b)
	b.WriteString(`// AuditStep is one page of the guided audit (spec/audit.json). A PerProject
// step's URL holds {project}; it is visited for each project found on the
// DiscoversProjects step.
type AuditStep struct {
	ID                string
	Title             string
	URL               string
	Role              string
	Ready             string
	DiscoversProjects bool
	PerProject        bool
}

// AuditSignIn: a page of Host whose path matches the regex Path is a sign-in page.
type AuditSignIn struct {
	Host string
	Path string
}

`)
	fmt.Fprintf(&b, "// Audit timing and limits.\nconst (\n\tAuditDefaultIntervalDays = %d\n\tAuditSettleMS = %d\n\tAuditTimeoutMS = %d\n\tAuditMaxProjects = %d\n)\n\n",
		a.DefaultIntervalDays, a.SettleMS, a.TimeoutMS, a.MaxProjects)
	b.WriteString("// AuditSteps lists the audit's pages in visiting order.\nvar AuditSteps = []AuditStep{\n")
	for _, st := range a.Steps {
		fmt.Fprintf(&b, "\t{ID: %q, Title: %q, URL: %q, Role: %q, Ready: %q, DiscoversProjects: %t, PerProject: %t},\n",
			st.ID, st.Title, st.URL, st.Role, st.Ready, st.DiscoversProjects, st.PerProject)
	}
	b.WriteString("}\n\n// AuditSignIns lists the sign-in pages an audit step may land on.\nvar AuditSignIns = []AuditSignIn{\n")
	for _, si := range a.SignIn {
		fmt.Fprintf(&b, "\t{Host: %q, Path: %q},\n", si.Host, si.Path)
	}
	b.WriteString("}\n")
	return b.String(), nil
}

func tsAudit(b *strings.Builder, s *Spec) {
	a := s.Audit
	b.WriteString(`
/** One page of the guided audit (spec/audit.json). A perProject step's url holds {project}. */
export interface AuditStepSpec {
  id: string;
  title: string;
  url: string;
  role: 'consumer' | 'api' | 'account';
  /** A CSS selector that shows the page is ready, else empty. */
  ready: string;
  discoversProjects: boolean;
  perProject: boolean;
}

`)
	fmt.Fprintf(b, "export const AUDIT = {\n  defaultIntervalDays: %d,\n  settleMs: %d,\n  timeoutMs: %d,\n  maxProjects: %d,\n",
		a.DefaultIntervalDays, a.SettleMS, a.TimeoutMS, a.MaxProjects)
	b.WriteString("  /** A page of host whose path matches the regex path is a sign-in page. */\n  signIn: [\n")
	for _, si := range a.SignIn {
		fmt.Fprintf(b, "    { host: %s, path: %s },\n", tsString(si.Host), tsString(si.Path))
	}
	b.WriteString("  ] as readonly { host: string; path: string }[],\n  steps: [\n")
	for _, st := range a.Steps {
		fmt.Fprintf(b, "    { id: %s, title: %s, url: %s, role: %s, ready: %s, discoversProjects: %t, perProject: %t },\n",
			tsString(st.ID), tsString(st.Title), tsString(st.URL), tsString(st.Role), tsString(st.Ready), st.DiscoversProjects, st.PerProject)
	}
	b.WriteString("  ] as readonly AuditStepSpec[],\n} as const;\n")
}
