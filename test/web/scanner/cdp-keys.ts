/** Key events for headless Chromium through CDP Input.dispatchKeyEvent, with exact code/key pairs and press times. */
import type { CDPSession } from 'playwright-core';

export interface KeyDef {
  key: string;
  code: string;
  vk: number;
  text?: string;
}

/** keydown + keyup; `timestamp` (seconds since epoch) becomes the events' press time (event.timeStamp). */
function keyEvents(cdp: CDPSession, k: KeyDef, timestamp?: number): Promise<unknown>[] {
  const at = (dt: number) => (timestamp === undefined ? {} : { timestamp: timestamp + dt });
  return [
    cdp.send('Input.dispatchKeyEvent', {
      type: k.text ? 'keyDown' : 'rawKeyDown',
      key: k.key,
      code: k.code,
      windowsVirtualKeyCode: k.vk,
      ...(k.text ? { text: k.text, unmodifiedText: k.text } : {}),
      ...at(0),
    }),
    cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: k.key, code: k.code, windowsVirtualKeyCode: k.vk, ...at(0.001) }),
  ];
}

export async function press(cdp: CDPSession, k: KeyDef): Promise<void> {
  await Promise.all(keyEvents(cdp, k));
}

/**
 * Timers for the wedge in the page that wait while a burst is being dispatched. Chromium runs
 * queued input before timers, but CDP delivers each key over IPC, and on a loaded test machine a
 * delivery can lag past the wedge's window; holding timers during the dispatch removes that test
 * artefact (the timing rules themselves are tested in Node on a virtual clock).
 */
export const HOLDABLE_TIMERS = `(() => {
  window.__holdTimers = false;
  window.__setTimer = (fn, ms) => {
    const h = { id: 0, cancelled: false };
    const run = () => {
      if (h.cancelled) return;
      if (window.__holdTimers) h.id = setTimeout(run, 5);
      else fn();
    };
    h.id = setTimeout(run, ms);
    return h;
  };
  window.__clearTimer = (h) => {
    if (!h) return;
    h.cancelled = true;
    clearTimeout(h.id);
  };
})()`;

/**
 * A scanner burst: pressed `gapMs` apart (CDP timestamps become event.timeStamp, as a scanner's
 * USB reports are timed), all queued at once, page timers held until every key is delivered.
 */
export async function burst(cdp: CDPSession, keys: readonly KeyDef[], gapMs = 3): Promise<void> {
  // A key pressed before the page existed gets event.timeStamp 0 (no press time): a long slow burst
  // on a fresh page waits until the page is old enough for all of its keys to carry one.
  const { result } = (await cdp.send('Runtime.evaluate', { expression: 'performance.timeOrigin' })) as { result: { value: number } };
  const tooEarly = result.value + 50 - (Date.now() - keys.length * gapMs - 200);
  if (tooEarly > 0) await new Promise((resolve) => setTimeout(resolve, tooEarly));
  const base = Date.now() / 1000 - (keys.length * gapMs) / 1000 - 0.2;
  await cdp.send('Runtime.evaluate', { expression: 'window.__holdTimers = true' });
  try {
    await Promise.all(keys.flatMap((k, i) => keyEvents(cdp, k, base + (i * gapMs) / 1000)));
  } finally {
    await cdp.send('Runtime.evaluate', { expression: 'window.__holdTimers = false' });
  }
}

export const digit = (d: string, layout: 'us' | 'azerty' | 'ime'): KeyDef => {
  const azerty = ['à', '&', 'é', '"', "'", '(', '-', 'è', '_', 'ç'][Number(d)]!;
  if (layout === 'ime') return { key: 'Process', code: `Digit${d}`, vk: 229 };
  if (layout === 'azerty') return { key: azerty, code: `Digit${d}`, vk: 48 + Number(d), text: azerty };
  return { key: d, code: `Digit${d}`, vk: 48 + Number(d), text: d };
};
