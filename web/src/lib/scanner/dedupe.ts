/**
 * Drops a second read of the same code within a short window: scanners in presentation mode read a
 * phone screen twice, and some send CR and LF as two scans. A payment code is single-use, so a
 * deliberate re-scan by the cashier comes seconds later and passes.
 */
export const DUPLICATE_WINDOW_MS = 1500;

export function createDuplicateFilter(windowMs = DUPLICATE_WINDOW_MS): (code: string, at: number) => boolean {
  let lastCode: string | undefined;
  let lastAt = -Infinity;
  /** true when the scan is new and should be delivered. */
  return (code, at) => {
    const duplicate = code === lastCode && at - lastAt <= windowMs;
    lastCode = code;
    lastAt = at;
    return !duplicate;
  };
}
