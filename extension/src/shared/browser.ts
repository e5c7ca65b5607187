// One promise-based WebExtension API for both builds: Firefox exposes `browser`, Chromium `chrome`
// (whose MV3 APIs return promises too). Typed with @types/chrome, the common subset we use.
export const api: typeof chrome = (globalThis as { browser?: typeof chrome }).browser ?? chrome;
declare global {
  const __BROWSER__: 'chrome' | 'firefox';
  const __VERSION__: string;
}
