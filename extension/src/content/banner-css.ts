// Styles inside the closed shadow root. The host element's layout is pinned inline (banner.ts);
// `:host` repeats it at shadow-tree importance, which page styles cannot override.
export const BANNER_CSS = `
:host { all: initial !important; display: block !important; position: fixed !important; top: 0 !important; left: 0 !important;
  width: 0 !important; height: 0 !important; overflow: visible !important; z-index: 2147483647 !important;
  visibility: visible !important; opacity: 1 !important; pointer-events: none !important; }
.card, .guard { pointer-events: auto; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK JP", sans-serif;
  color: #1c1917; box-sizing: border-box; letter-spacing: normal; word-spacing: normal; text-align: start; }
.card *, .guard * { box-sizing: border-box; }
.card { position: fixed; max-width: calc(100vw - 16px); background: #fff7ed; border: 2px solid #c2410c;
  border-radius: 10px; padding: 5px 6px 5px 10px; box-shadow: 0 6px 20px rgba(0,0,0,.22); animation: rf-in .18s ease-out; }
.card.sev-medium, .card.sev-notice { border-color: #a16207; background: #fefce8; }
.card.escalated { border-color: #b91c1c; background: #fef2f2; }
.bar { display: flex; align-items: center; gap: 8px; min-height: 32px; }
.icon { flex: none; display: inline-flex; align-items: center; justify-content: center; width: 20px; height: 20px; border-radius: 50%;
  background: #c2410c; color: #fff; font-weight: 800; font-size: 13px; }
.icon::before { content: "!"; }
.escalated .icon { background: #b91c1c; }
.title { flex: 1 1 auto; min-width: 0; margin: 0; font-size: 14px; font-weight: 700; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.expanded .bar { flex-wrap: wrap; row-gap: 6px; }
.expanded .title { flex: 1 1 calc(100% - 30px); white-space: normal; }
.expanded .toggle { margin-left: 22px; }
.final { color: #b91c1c; text-transform: uppercase; font-size: 12px; letter-spacing: .04em; }
.details { padding: 6px 4px 4px 28px; }
.details[hidden] { display: none; }
.body, .personal, .confirm { margin: 0 0 8px; }
.personal { font-weight: 600; }
.losses { margin: 0 0 10px; padding-left: 18px; }
.losses li { margin: 2px 0; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; margin: 4px 0 8px; }
.more { display: flex; flex-wrap: wrap; gap: 4px 14px; border-top: 1px solid rgba(120,53,15,.25); padding-top: 6px; }
button, a.primary, a.secondary { font: inherit; font-size: 13px; line-height: 1.3; border-radius: 7px; padding: 5px 10px; cursor: pointer;
  text-decoration: none; border: 1px solid #c2410c; display: inline-block; flex: none; white-space: nowrap; }
.primary { background: #c2410c; color: #fff; }
.secondary, .toggle { background: transparent; color: #7c2d12; }
.toggle { border-color: transparent; text-decoration: underline; padding: 5px 6px; }
.toggle::after { content: " ▾"; }
.expanded .toggle::after { content: " ▴"; }
.link { background: transparent; border: 0; padding: 2px 0; color: #7c2d12; text-decoration: underline; white-space: normal; text-align: start; }
button:disabled { opacity: .5; cursor: not-allowed; }
button:focus-visible, a:focus-visible { outline: 3px solid #2563eb; outline-offset: 2px; }
.note { margin: 4px 0 0 28px; font-size: 13px; font-weight: 600; color: #7c2d12; }
.note[hidden] { display: none; }
.guard { position: fixed; inset: 0; background: rgba(0,0,0,.55); display: flex; align-items: center; justify-content: center; padding: 16px; }
.guard-box { background: #fff; color: #1c1917; border: 3px solid #b91c1c; border-radius: 12px; padding: 18px 20px;
  width: min(460px, calc(100vw - 24px)); max-height: calc(100vh - 32px); overflow: auto; box-shadow: 0 12px 40px rgba(0,0,0,.4); }
.guard-box h2 { margin: 0 0 8px; font-size: 17px; }
.guard-box p { margin: 0 0 8px; }
.guard-box ul { margin: 0 0 12px; padding-left: 20px; }
.guard-box .secondary { color: #7f1d1d; border-color: #b91c1c; }
.guard-box .primary { background: #b91c1c; border-color: #b91c1c; }
[lang|="ja"] { word-break: keep-all; line-break: strict; overflow-wrap: anywhere; }
@supports (word-break: auto-phrase) { [lang|="ja"] { word-break: auto-phrase; } }
@keyframes rf-in { from { transform: translateY(-6px); opacity: 0; } to { transform: none; opacity: 1; } }
.card.settled { animation: none; }
@media (prefers-reduced-motion: reduce) { .card { animation: none; } }
@media (prefers-color-scheme: dark) {
  .card, .guard { color: #fafaf9; }
  .card { background: #292524; border-color: #fb923c; }
  .card.sev-medium, .card.sev-notice { background: #292524; border-color: #facc15; }
  .card.escalated { background: #2a1212; border-color: #f87171; }
  .icon { background: #fb923c; color: #1c1917; }
  .escalated .icon { background: #f87171; }
  .final { color: #fca5a5; }
  .primary { background: #fb923c; color: #1c1917; border-color: #fb923c; }
  .secondary, .toggle, .link, .note { color: #fed7aa; }
  .secondary { border-color: #fb923c; }
  .more { border-top-color: rgba(254,215,170,.3); }
  .guard-box { background: #1c1917; color: #fafaf9; border-color: #f87171; }
  .guard-box .primary { background: #f87171; border-color: #f87171; color: #1c1917; }
  .guard-box .secondary { color: #fecaca; border-color: #f87171; }
}
`;
