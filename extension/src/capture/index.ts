// Snapshot capture (issue 5). Owned by the snapshot engineer; this stub only fixes the signature
// the background calls so both halves can be built in parallel.
export type SnapshotTrigger = 'button' | 'shortcut' | 'context_menu' | 'banner' | 'auto';

export interface CaptureOptions {
  tabId: number;
  windowId: number;
  url: string;
  trigger: SnapshotTrigger;
}

export async function captureSnapshot(opts: CaptureOptions): Promise<{ snapshotId: string }> {
  void opts;
  throw new Error('not implemented');
}
