// Test helpers: a happy-dom window at a real URL, fixture files, a shadow accessor that reaches
// closed roots the way chrome.dom.openOrClosedShadowRoot does in the extension.
import { Window } from 'happy-dom';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const closedRoots = new WeakMap<object, ShadowRoot>();

const open: Window[] = [];

/** A window that never loads anything; close them all with closeAll() (an `after` hook). */
export function page(html: string, url = 'https://chatgpt.com/', frames = false): { window: Window; document: Document } {
  const window = new Window({
    url,
    settings: {
      disableJavaScriptEvaluation: true, disableCSSFileLoading: true, disableJavaScriptFileLoading: true,
      disableIframePageLoading: !frames,
      navigation: { disableMainFrameNavigation: true, disableChildFrameNavigation: true, disableChildPageNavigation: true },
    },
  });
  open.push(window);
  const document = window.document as unknown as Document;
  document.write(html);
  return { window, document };
}

export function fixture(name: string): string {
  const root = process.env.RF_EXT_ROOT ?? process.cwd();
  return readFileSync(path.join(root, 'test', 'capture', 'fixtures', name), 'utf8');
}

/** attachShadow that remembers closed roots, standing in for the extension-only accessor. */
export function attachClosed(host: Element, html: string): ShadowRoot {
  const sr = host.attachShadow({ mode: 'closed' });
  sr.innerHTML = html;
  closedRoots.set(host, sr);
  return sr;
}

export const shadowOf = (el: Element): ShadowRoot | null => el.shadowRoot ?? closedRoots.get(el) ?? null;

export const noMask = { maskEmails: false, maskPhones: false };

// Planted secrets (random-looking, never real).
export const SECRETS = {
  sk: 'sk-Q7vZ2pLx9KwT4mNb8RcY3dFh6JsA1eGu5XoPi0',
  proj: 'sk-proj-Ab3De5Fg7Hj9Kl2Mn4Pq6Rs8Tu0Vw1Xy3Za5Bc7De9Fg_hJ-kL2mN4pQ6',
  sess: 'sess-Zx8Cv6Bn4Mq2We0Rt9Yu7Io5Pa3Sd1Fg',
  bearer: 'Bearer 9fK2LmQ8xZ4vT1nB7cR3yH6wJ0pD5sA',
  jwt: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTEyMzQ1Njc4OTAiLCJuYW1lIjoiSmFuZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU',
};

export async function closeAll(): Promise<void> {
  for (const w of open.splice(0)) await w.happyDOM.close();
}
