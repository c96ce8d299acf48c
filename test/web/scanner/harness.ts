/** A wedge on a virtual clock that records what it emitted and when. */
import { KeyboardWedge, type WedgeOptions, type WedgeScan } from '../../../web/src/lib/scanner/wedge.ts';
import type { HumanKey } from '../../../web/src/lib/scanner/types.ts';
import { play, VirtualClock, type FakeKeyEvent, type TimedKey } from './streams.ts';

export interface Emitted {
  scans: (WedgeScan & { emittedAt: number })[];
  human: (HumanKey & { emittedAt: number })[];
  /** Scans and human keys interleaved in emission order. */
  order: string[];
}

export function wedgeHarness(options: Partial<WedgeOptions> = {}) {
  const clock = new VirtualClock();
  const out: Emitted = { scans: [], human: [], order: [] };
  const wedge = new KeyboardWedge({
    ...options,
    now: clock.now,
    setTimer: clock.setTimeout,
    clearTimer: clock.clearTimeout,
    onScan: (s) => {
      out.scans.push({ ...s, emittedAt: clock.t });
      out.order.push(`scan:${s.code}`);
    },
    onHumanKey: (k) => {
      out.human.push({ ...k, emittedAt: clock.t });
      out.order.push(`key:${k.key}`);
    },
  });
  return {
    wedge,
    clock,
    out,
    play: (stream: readonly TimedKey[], settleMs?: number): FakeKeyEvent[] => play(stream, clock, (e) => wedge.handleKeyDown(e), settleMs),
    typedText: () => out.human.map((k) => k.key).join(''),
  };
}
