// How often a rule may report an escalation (warning.escalated plus an automatic snapshot). A page
// that removes and re-adds its confirm dialog, or changes the hash around it, would otherwise log
// and capture again each time: one report per rule until the user acts on the warning (dismiss or
// proceed), or until the window has passed since the last one.
export const ESCALATION_WINDOW_MS = 60_000;

export class EscalationLimit {
  private last = new Map<string, number>();

  constructor(private windowMs = ESCALATION_WINDOW_MS, private now: () => number = Date.now) {}

  /** True when this escalation of ruleId is to be reported; it is then counted. */
  take(ruleId: string): boolean {
    const at = this.last.get(ruleId);
    const now = this.now();
    if (at !== undefined && now - at < this.windowMs) return false;
    this.last.set(ruleId, now);
    return true;
  }

  /** The user dismissed the warning or proceeded: the next escalation is news again. */
  reset(ruleId: string): void {
    this.last.delete(ruleId);
  }
}
