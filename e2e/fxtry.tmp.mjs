import * as H from './lib/harness.mjs';
const sb = H.makeSandbox('fxtry');
const srv = await H.startFixtureServer();
const browser = await H.launchFirefox({ sandbox: sb, server: srv, prefs: { 'extensions.webextOptionalPermissionPrompts': false } });
const page = await browser.newPage();
try { await page.goto(`${H.FIREFOX_EXT_ORIGIN}/options.html`); console.log('nav ok', await page.evaluate(() => document.title)); } catch (e) { console.log('nav err', e.message); }
try {
  const conn = browser.connection;
  const r = await conn.send('browsingContext.navigate', { context: page.mainFrame()._id, url: `${H.FIREFOX_EXT_ORIGIN}/options.html`, wait: 'complete' });
  console.log('raw nav', JSON.stringify(r.result));
  console.log(await page.evaluate(() => location.href + ' ' + typeof browser));
} catch (e) { console.log('raw err', e.message); }
await browser.close(); await srv.close(); sb.cleanup();
