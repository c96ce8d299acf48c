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
 * A scanner burst: pressed `gapMs` apart (as the scanner's USB reports are timed), all queued at
 * once so a loaded test machine cannot stretch the gaps.
 */
export async function burst(cdp: CDPSession, keys: readonly KeyDef[], gapMs = 3): Promise<void> {
  const base = Date.now() / 1000 - (keys.length * gapMs) / 1000 - 0.2;
  await Promise.all(keys.flatMap((k, i) => keyEvents(cdp, k, base + (i * gapMs) / 1000)));
}

export const digit = (d: string, layout: 'us' | 'azerty' | 'ime'): KeyDef => {
  const azerty = ['à', '&', 'é', '"', "'", '(', '-', 'è', '_', 'ç'][Number(d)]!;
  if (layout === 'ime') return { key: 'Process', code: `Digit${d}`, vk: 229 };
  if (layout === 'azerty') return { key: azerty, code: `Digit${d}`, vk: 48 + Number(d), text: azerty };
  return { key: d, code: `Digit${d}`, vk: 48 + Number(d), text: d };
};
