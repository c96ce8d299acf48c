/**
 * Waits for something that changes outside the test's hands (a real server, a worker thread,
 * another process, a simulator's own clock): calls `probe` until its value is `done`, and returns
 * that value. Past `timeoutMs` it throws, naming `what` and the last value seen, so a slow machine
 * only makes a test slower, never wrong, and no test sleeps a fixed time on the chance.
 * By default a value is done when it is neither undefined, null nor false.
 */
export interface EventuallyOptions<T> {
  done?: (value: T) => boolean;
  timeoutMs?: number;
  intervalMs?: number;
}

const present = (value: unknown): boolean => value !== undefined && value !== null && value !== false;

export async function eventually<T>(what: string, probe: () => T | Promise<T>, options: EventuallyOptions<T> = {}): Promise<Exclude<T, undefined | null | false>> {
  const { done = present, timeoutMs = 10_000, intervalMs = 25 } = options;
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value as Exclude<T, undefined | null | false>;
    if (Date.now() >= end) throw new Error(`${what}: not within ${timeoutMs} ms (last: ${describe(value)})`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function describe(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.length > 300 ? `${text.slice(0, 300)}…` : text;
  } catch {
    return String(value);
  }
}
