// The audit runner's look at a page (docs/audit.md): serialized into the page by
// scripting.executeScript, so it uses nothing but its arguments and the page's globals.
export interface Probe { url: string; ready: boolean; quiet: boolean; login: boolean; hrefs: string[] }

/** Runs in the page (serialized by executeScript): waits for load, the ready selector and DOM
 * quiet (settleMs without a mutation), within budgetMs; then looks for an obvious login form and
 * collects the links to projects. The observer callback only notes the time. */
export async function probePage(ready: string, settleMs: number, budgetMs: number): Promise<Probe> {
  const t0 = performance.now();
  const left = (): number => budgetMs - (performance.now() - t0);
  const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  while (document.readyState !== 'complete' && left() > 0) await pause(50);
  let readyOk = !ready;
  while (!readyOk && left() > 0) {
    readyOk = document.querySelector(ready) !== null;
    if (!readyOk) await pause(100);
  }
  let last = performance.now();
  const mo = new MutationObserver(() => { last = performance.now(); });
  mo.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  while (performance.now() - last < settleMs && left() > 0) await pause(Math.min(200, settleMs));
  mo.disconnect();
  const quiet = performance.now() - last >= settleMs;
  const shown = (el: Element): boolean => {
    const r = el.getBoundingClientRect();
    if (r.width <= 0 || r.height <= 0 || getComputedStyle(el).visibility === 'hidden') return false;
    for (let e: Element | null = el; e; e = e.parentElement) if (getComputedStyle(e).display === 'none') return false;
    return true;
  };
  // A login form: one visible password field with a visible user name or e-mail field beside it
  // (a change-password form has two or three password fields and no user name field).
  const passwords = Array.from(document.querySelectorAll('input[type=password]')).filter(shown) as HTMLInputElement[];
  let login = false;
  if (passwords.length === 1) {
    const pw = passwords[0];
    const scope = pw.form ?? pw.closest('[role=form],main') ?? document.body;
    login = Array.from(scope.querySelectorAll('input')).some((i) => i !== pw && shown(i)
      && (/^(email|text|tel)$/.test(i.type) || /user|email|login/i.test(`${i.autocomplete} ${i.name} ${i.id}`)));
  }
  const hrefs = Array.from(document.querySelectorAll('a[href*="/settings/proj_"]'), (a) => (a as HTMLAnchorElement).href).slice(0, 500);
  return { url: location.href, ready: readyOk, quiet, login, hrefs };
}

