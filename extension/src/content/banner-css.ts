// Styles inside the closed shadow root. The host element itself is reset inline (banner.ts).
export const BANNER_CSS = `
:host { all: initial !important; }
.card, .guard { pointer-events: auto; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
  color: #1c1917; box-sizing: border-box; }
.card { position: fixed; max-width: calc(100vw - 16px); background: #fff7ed; border: 2px solid #c2410c;
  border-radius: 12px; padding: 14px 16px 10px; box-shadow: 0 8px 28px rgba(0,0,0,.28);
  animation: rf-in .18s ease-out; }
.card.sev-medium, .card.sev-notice { border-color: #a16207; background: #fefce8; }
.card.escalated { border-width: 3px; border-color: #b91c1c; background: #fef2f2; }
.final { margin: 0 0 4px; font-weight: 700; color: #b91c1c; text-transform: uppercase; font-size: 12px; letter-spacing: .04em; }
.title { margin: 0 0 6px; font-size: 16px; font-weight: 700; }
.body, .personal, .confirm { margin: 0 0 8px; }
.personal { font-weight: 600; }
.losses { margin: 0 0 10px; padding-left: 20px; }
.losses li { margin: 2px 0; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 6px; }
button, a.secondary { font: inherit; font-size: 13px; border-radius: 8px; padding: 6px 12px; cursor: pointer;
  text-decoration: none; border: 1px solid #c2410c; display: inline-block; }
.primary { background: #c2410c; color: #fff; }
.secondary { background: transparent; color: #7c2d12; }
button:disabled { opacity: .5; cursor: not-allowed; }
button:focus-visible, a:focus-visible { outline: 3px solid #2563eb; outline-offset: 2px; }
.brand { margin: 8px 0 0; font-size: 11px; color: #78716c; text-align: right; }
.guard { position: fixed; inset: 0; background: rgba(0,0,0,.55); display: flex; align-items: center; justify-content: center; }
.guard-box { background: #fff; color: #1c1917; border: 3px solid #b91c1c; border-radius: 12px; padding: 18px 20px;
  width: min(460px, calc(100vw - 24px)); box-shadow: 0 12px 40px rgba(0,0,0,.4); }
.guard-box h2 { margin: 0 0 8px; font-size: 17px; }
@keyframes rf-in { from { transform: translateY(-8px); opacity: 0; } to { transform: none; opacity: 1; } }
.card.settled { animation: none; }
@media (prefers-reduced-motion: reduce) { .card { animation: none; } }
@media (prefers-color-scheme: dark) {
  .card { background: #292524; color: #fafaf9; border-color: #fb923c; }
  .card.sev-medium, .card.sev-notice { background: #292524; border-color: #facc15; }
  .card.escalated { background: #2a1212; border-color: #f87171; }
  .final { color: #fca5a5; }
  .primary { background: #fb923c; color: #1c1917; border-color: #fb923c; }
  .secondary { color: #fed7aa; border-color: #fb923c; }
  .brand { color: #a8a29e; }
  .guard-box { background: #1c1917; color: #fafaf9; border-color: #f87171; }
}
`;
