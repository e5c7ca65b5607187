// The guided audit's pure parts (spec/audit.json through spec.gen.ts's AUDIT): the plan of pages,
// project steps added after the discovering page, and how a sign-in page is recognised.
import { AUDIT, type AuditStepSpec } from './spec.gen';

/** One page to open: a spec step, with its project for per-project steps. */
export interface PlannedStep {
  stepId: string;
  title: string;
  url: string;
  ready: string;
  project?: string;
  discoversProjects: boolean;
}

function planned(s: AuditStepSpec, project?: string): PlannedStep {
  return {
    stepId: s.id, ready: s.ready, discoversProjects: s.discoversProjects,
    title: project ? `${s.title} ${project}` : s.title,
    url: project ? s.url.replace('{project}', encodeURIComponent(project)) : s.url,
    ...(project ? { project } : {}),
  };
}

/** The plan before any project is known: every step except the per-project ones. */
export function initialPlan(steps: readonly AuditStepSpec[] = AUDIT.steps): PlannedStep[] {
  return steps.filter((s) => !s.perProject).map((s) => planned(s));
}

/** The plan with the per-project steps for `projects` inserted where the spec lists them (after
 * the steps before them that are already planned). Idempotent: projects already planned are kept. */
export function withProjects(plan: PlannedStep[], projects: string[], steps: readonly AuditStepSpec[] = AUDIT.steps): PlannedStep[] {
  const per = steps.filter((s) => s.perProject);
  if (!per.length || !projects.length) return plan;
  const out = plan.filter((p) => !p.project);
  for (const s of per) {
    // After the last planned step that comes before s in the spec.
    const before = new Set(steps.slice(0, steps.indexOf(s)).map((x) => x.id));
    let at = 0;
    out.forEach((p, i) => { if (before.has(p.stepId)) at = i + 1; });
    out.splice(at, 0, ...projects.map((proj) => planned(s, proj)));
  }
  return out;
}

const PROJECT = /\/settings\/(proj_[A-Za-z0-9_-]{1,64})(?:\/|$|[?#])/;

/** Project ids (proj_…) from link targets, in page order, unique, at most AUDIT.maxProjects. */
export function projectIds(hrefs: string[], max: number = AUDIT.maxProjects): string[] {
  const out: string[] = [];
  for (const h of hrefs) {
    let path: string;
    try {
      const u = new URL(h, 'https://platform.openai.com/');
      if (u.hostname !== 'platform.openai.com') continue;
      path = u.pathname;
    } catch { continue; }
    const m = PROJECT.exec(path.endsWith('/') ? path : `${path}/`);
    if (m && !out.includes(m[1])) out.push(m[1]);
    if (out.length >= max) break;
  }
  return out;
}

/** Whether the URL is a sign-in page (AUDIT.signIn: a host and a path regex). */
export function isSignInUrl(url: string, rules: readonly { host: string; path: string }[] = AUDIT.signIn): boolean {
  let u: URL;
  try { u = new URL(url); } catch { return false; }
  return rules.some((r) => u.hostname === r.host && new RegExp(r.path).test(u.pathname));
}
