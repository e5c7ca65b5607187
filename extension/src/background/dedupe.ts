// Automatic snapshots of one tab for one rule within the window are the same evidence. Keyed by tab
// and rule, not URL: a page can change its hash (or path) as often as it likes.
export const AUTO_DEDUPE_MS = 60_000;

export class AutoDedupe {
  private recent = new Map<string, { at: number; snapshotId: string }>();

  constructor(private windowMs = AUTO_DEDUPE_MS, private now: () => number = Date.now) {}

  private static key(tabId: number, rule: string): string {
    return `${tabId} ${rule}`;
  }

  /** The snapshot an automatic capture of this tab for this rule already made within the window. */
  get(tabId: number, rule: string): string | undefined {
    const prev = this.recent.get(AutoDedupe.key(tabId, rule));
    return prev && this.now() - prev.at < this.windowMs ? prev.snapshotId : undefined;
  }

  remember(tabId: number, rule: string, snapshotId: string): void {
    const now = this.now();
    // Expired entries go, so the map stays as small as the captures of the last minute.
    for (const [k, v] of this.recent) if (now - v.at >= this.windowMs) this.recent.delete(k);
    this.recent.set(AutoDedupe.key(tabId, rule), { at: now, snapshotId });
  }

}
