/**
 * The Chromium e2e files take turns: each holds a lock directory for its whole run. On this
 * 2-core machine three browsers and three servers at once starve the page's input events and
 * turn a scanner's key stream into a person's, which would test the machine, not the app.
 * A lock left by a dead process (pid no longer running) is taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LOCK = join(tmpdir(), 'micropay-pos-e2e.lock');

function holderAlive(): boolean {
  try {
    const pid = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but is someone else's; anything else: no live holder.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function takeTurn(timeoutMs = 900_000): Promise<() => void> {
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      return () => rmSync(LOCK, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A holder that has just made the directory may not have written its pid yet: give it a moment.
      if (Date.now() - started > 2000 && !holderAlive()) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() - started > timeoutMs) throw new Error(`another e2e run held ${LOCK} for ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
