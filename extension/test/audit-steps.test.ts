// The guided audit's plan (spec/audit.json via spec.gen.ts): per-project pages after the projects
// page, project ids from links, and sign-in pages by host and path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AUDIT } from '../src/shared/spec.gen';
import { initialPlan, isSignInUrl, projectIds, withProjects } from '../src/shared/audit-steps';

const root = process.env.RF_EXT_ROOT ?? process.cwd();
const spec = JSON.parse(readFileSync(path.join(root, '..', 'spec', 'audit.json'), 'utf8')) as { steps: { id: string; per_project?: boolean }[] };

test('the plan is spec/audit.json in order, per-project pages left for later', () => {
  assert.deepEqual(initialPlan().map((p) => p.stepId), spec.steps.filter((s) => !s.per_project).map((s) => s.id));
});

test('projects found on the projects page get their API-keys page, where the spec lists it', () => {
  const plan = withProjects(initialPlan(), ['proj_alpha1', 'proj_beta2']);
  const ids = plan.map((p) => `${p.stepId}${p.project ? `:${p.project}` : ''}`);
  const at = ids.indexOf('platform.api-keys');
  assert.deepEqual(ids.slice(at, at + 4), ['platform.api-keys', 'platform.project-api-keys:proj_alpha1', 'platform.project-api-keys:proj_beta2', 'platform.members']);
  const beta = plan.find((p) => p.project === 'proj_beta2')!;
  assert.equal(beta.url, 'https://platform.openai.com/settings/proj_beta2/api-keys');
  assert.equal(beta.title, 'API platform: API keys of project proj_beta2');
  // Discovered again (a resumed audit): not doubled.
  assert.equal(withProjects(plan, ['proj_alpha1', 'proj_beta2']).length, plan.length);
  assert.equal(withProjects(initialPlan(), []).length, initialPlan().length);
});

test('project ids from links: platform only, unique, in order, at most maxProjects', () => {
  const hrefs = [
    'https://platform.openai.com/settings/proj_alpha1/api-keys',
    'https://platform.openai.com/settings/proj_alpha1/general',
    '/settings/proj_beta2',
    'https://evil.example/settings/proj_evil/api-keys',
    'https://platform.openai.com/settings/proj_/api-keys',
    'https://platform.openai.com/settings/organization/projects',
    'not a url ::',
  ];
  assert.deepEqual(projectIds(hrefs), ['proj_alpha1', 'proj_beta2']);
  const many = Array.from({ length: 50 }, (_, i) => `https://platform.openai.com/settings/proj_p${i}/api-keys`);
  assert.equal(projectIds(many).length, AUDIT.maxProjects);
});

test('sign-in pages: by host and path, never by a look-alike host or a query', () => {
  for (const u of ['https://auth.openai.com/log-in', 'https://auth.openai.com/log-in/password', 'https://chatgpt.com/auth/login',
    'https://chatgpt.com/login', 'https://platform.openai.com/login?next=/api-keys', 'https://privacy.openai.com/sign-in']) {
    assert.ok(isSignInUrl(u), u);
  }
  for (const u of ['https://chatgpt.com/#settings/Account', 'https://platform.openai.com/settings/organization/billing/overview',
    'https://auth.openai.com.evil.example/log-in', 'https://chatgpt.com/c/1?next=/login', 'https://privacy.openai.com/policies', 'nonsense']) {
    assert.ok(!isSignInUrl(u), u);
  }
});
