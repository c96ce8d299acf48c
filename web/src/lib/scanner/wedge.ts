/**
 * Keyboard-wedge capture: tells a scanner's key bursts from a person typing, with no focused field.
 *
 * Design: hold back, then release. Every printable key is held back the moment it arrives (its
 * default action and propagation are stopped, so neither a focused field nor a shortcut sees it)
 * and the wedge decides what it was as soon as the timing or the shape proves it:
 *
 * - A person: the next key comes later than a scanner would send it (> fastGapMs, 40 ms), a key no
 *   scanner sends arrives (Backspace, arrows, Ctrl/Alt combos, auto-repeat), or a terminator ends
 *   a burst too short to be a code. The held keys go to onHumanKey at once, in order, marked
 *   `deferred` (the app applies them itself). Cost: a typed key shows ≤ 40 ms late, and a key that
 *   could start a payment code ('1' then 0–5 for WeChat, '2' then 5–9 or '30' for Alipay, then
 *   digits) shows ≤ slowGapMs (130 ms) after the person's last key, or at once when the next key
 *   rules the code out ('.', '7' after '1', …).
 * - A USB scanner: a burst whose keys all come ≤ 40 ms apart, ended by Enter / Tab / CR(+LF) with
 *   ≥ minLength characters, or ended by silence with ≥ minLengthUnterminated characters.
 * - A payment code from any scanner, even a slow Bluetooth/Zebra one at 80–100 ms/key: a digit
 *   run that can still become a WeChat (`^1[0-5]\d{16}$`) or Alipay (`^(2[5-9]|30)\d{14,22}$`)
 *   code is held while its keys come ≤ slowGapMs apart (amounts are ≤ 9 digits, so such a run is
 *   never the amount). A WeChat code is accepted the moment its 18th digit arrives — no
 *   terminator needed and no wait after the last key; an Alipay code (16–24 digits, so its end is
 *   not known in advance) on its terminator or one slow gap after its last digit. The terminator
 *   that follows a scan (Enter, Tab, CR+LF) is swallowed.
 *
 * Why it never leaks: no key of a burst reaches the page before the burst is judged, and a burst
 * judged a scan is never released. Why it is fast: a WeChat code is accepted on its last digit, a
 * terminated burst on its terminator; only a code without terminator waits (40 ms idle from a fast
 * scanner, one slow gap of 130 ms for a slow scanner's Alipay code).
 * Retract-after-delivery was rejected: the amount would flicker with scan digits for up to 1.7 s
 * on a slow scanner, and an Enter could fire before the retraction.
 *
 * Time: a key's time is its event.timeStamp (when it was pressed) if that is on the now() clock,
 * else now() (injected; performance.now() in the browser). Judging by press time keeps a busy main
 * thread, which delivers queued keys late and bunched, from splitting a scan. Timers only settle a
 * burst whose deadline passed (on the same press-time clock, shifted by the observed delivery lag),
 * and a key arriving after a deadline settles it first.
 */
import { humanKeyValue, isModifierOnly, isTerminator, scanCharacter } from './keymap.ts';
import { isCompletePaymentCode, isCompleteWechatCode, isPaymentCodePrefix, WECHAT_CODE_LENGTH } from './code-shape.ts';
import type { HumanKey, KeyInput } from './types.ts';

export interface WedgeScan {
  code: string;
  /** Time of the first and last key of the code. */
  startedAt: number;
  endedAt: number;
  /** How the burst ended: a terminator key, its 18th WeChat digit, or silence. */
  end: 'terminator' | 'complete-code' | 'idle';
}

export interface WedgeTiming {
  /** Largest gap between two keys of a USB scanner burst. */
  fastGapMs: number;
  /** Largest gap between two digits of a slow scanner's payment code. */
  slowGapMs: number;
  /** Shortest burst ended by a terminator that counts as a scan. */
  minLength: number;
  /** Shortest burst ended by silence that counts as a scan. */
  minLengthUnterminated: number;
}

export const WEDGE_DEFAULTS: WedgeTiming = {
  fastGapMs: 40,
  slowGapMs: 130,
  minLength: 4,
  minLengthUnterminated: 8,
};

export interface WedgeOptions extends Partial<WedgeTiming> {
  now: () => number;
  onScan: (scan: WedgeScan) => void;
  onHumanKey: (key: HumanKey) => void;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  /** Keys the wedge must not touch at all, e.g. typing in a field marked as a text field. */
  ignore?: (e: KeyInput) => boolean;
}

interface HeldKey {
  ch: string;
  human: HumanKey;
}

export class KeyboardWedge {
  readonly timing: WedgeTiming;
  #opts: WedgeOptions;
  #held: HeldKey[] = [];
  #gaps: number[] = [];
  #allFast = true;
  #allSlow = true;
  #deadline = 0;
  #timer: unknown = undefined;
  /** Terminators still to swallow after a scan (CR+LF, double Enter), until #tailUntil. */
  #tailLeft = 0;
  #tailUntil = -Infinity;
  /** How late the last key was delivered after it was pressed (ms). */
  #lag = 0;

  constructor(options: WedgeOptions) {
    this.#opts = options;
    this.timing = {
      fastGapMs: options.fastGapMs ?? WEDGE_DEFAULTS.fastGapMs,
      slowGapMs: options.slowGapMs ?? WEDGE_DEFAULTS.slowGapMs,
      minLength: options.minLength ?? WEDGE_DEFAULTS.minLength,
      minLengthUnterminated: options.minLengthUnterminated ?? WEDGE_DEFAULTS.minLengthUnterminated,
    };
  }

  /** Number of keys currently held back (a burst being judged). */
  get pending(): number {
    return this.#held.length;
  }

  /** Feed one keydown. Returns how it was treated (for diagnostics and tests). */
  handleKeyDown(e: KeyInput): 'held' | 'swallowed' | 'human' | 'ignored' {
    if (isModifierOnly(e) || this.#opts.ignore?.(e)) return 'ignored';
    const now = this.#opts.now();
    const t = pressTime(e, now);
    this.#lag = now - t;
    this.#settle(t);
    if (isTerminator(e)) return this.#terminator(e, t);
    const ch = e.repeat ? null : scanCharacter(e);
    // Space activates buttons: it may continue a burst but never starts one.
    if (ch === null || (ch === ' ' && this.#held.length === 0)) {
      this.#resolve();
      this.#emitHuman(e, t, false);
      return 'human';
    }
    if (this.#held.length > 0 && !this.#canExtend(ch, t)) this.#resolve();
    this.#push(ch, e, t);
    stop(e);
    this.#acceptIfComplete();
    this.#arm();
    return 'held';
  }

  /** Settle whatever is held as if the burst ended now (on stop, or when capture is paused). */
  flush(): void {
    this.#resolve();
  }

  /** Called by the timer; also safe to call at any time. */
  tick(): void {
    this.#timer = undefined;
    this.#settle(this.#opts.now() - this.#lag);
    if (this.#held.length > 0) this.#arm();
  }

  attach(target: Pick<Window, 'addEventListener' | 'removeEventListener'>): () => void {
    // Capture phase on window: the wedge sees keys before any field or shortcut handler does.
    const listener = (ev: Event) => {
      this.handleKeyDown(ev as KeyboardEvent);
    };
    target.addEventListener('keydown', listener, { capture: true });
    return () => {
      target.removeEventListener('keydown', listener, { capture: true });
      this.flush();
    };
  }

  #terminator(e: KeyInput, t: number): 'swallowed' | 'human' {
    if (this.#held.length === 0) {
      if (this.#tailLeft > 0 && t <= this.#tailUntil) {
        this.#tailLeft -= 1;
        this.#tailUntil = t + this.timing.slowGapMs;
        stop(e);
        return 'swallowed';
      }
      this.#emitHuman(e, t, false);
      return 'human';
    }
    const gap = t - this.#lastAt();
    const code = this.#codeText();
    const complete = isCompletePaymentCode(code) && (this.#allFast || this.#allSlow) && gap <= this.timing.slowGapMs;
    const fastBurst = this.#allFast && gap <= this.timing.fastGapMs;
    if (complete || (fastBurst && this.#held.length >= this.timing.minLength)) {
      this.#emitScanSplit('terminator');
      this.#tailLeft = 1;
      this.#tailUntil = t + this.timing.slowGapMs;
      stop(e);
      return 'swallowed';
    }
    this.#releaseHuman();
    this.#emitHuman(e, t, false);
    return 'human';
  }

  #canExtend(ch: string, t: number): boolean {
    const gap = t - this.#lastAt();
    if (this.#allFast && gap <= this.timing.fastGapMs) return true;
    return this.#allSlow && gap <= this.timing.slowGapMs && isPaymentCodePrefix(this.#codeText() + ch);
  }

  #push(ch: string, e: KeyInput, t: number): void {
    if (this.#held.length === 0) {
      this.#allFast = true;
      this.#allSlow = true;
      this.#gaps = [];
      this.#tailLeft = 0;
    } else {
      const gap = t - this.#lastAt();
      this.#gaps.push(gap);
      if (gap > this.timing.fastGapMs) this.#allFast = false;
      if (gap > this.timing.slowGapMs) this.#allSlow = false;
    }
    this.#held.push({ ch, human: humanKey(e, t, true) });
  }

  /** Accept a WeChat code on its 18th digit, unless its first gap says the first key was typed. */
  #acceptIfComplete(): void {
    const n = this.#held.length;
    if (n < WECHAT_CODE_LENGTH) return;
    const text = this.#codeText();
    if (n === WECHAT_CODE_LENGTH) {
      if (isCompleteWechatCode(text) && (this.#allFast || this.#allSlow) && !isOutlier(this.#gaps, 0)) {
        this.#emitScan('complete-code');
        this.#tailLeft = 2;
        this.#tailUntil = this.#lastAt() + this.timing.slowGapMs;
        this.#clear();
      }
      return;
    }
    // A person's key just before a scan can lead the burst: split it off when its gap stands out.
    const lead = n - WECHAT_CODE_LENGTH;
    if (lead <= 3 && isCompleteWechatCode(text.slice(lead)) && isOutlier(this.#gaps, lead - 1)) {
      const end = this.#lastAt();
      this.#releaseHuman(lead);
      this.#emitScan('complete-code');
      this.#tailLeft = 2;
      this.#tailUntil = end + this.timing.slowGapMs;
      this.#clear();
    }
  }

  /** The burst ended without a terminator (silence, or a key that cannot continue it). */
  #resolve(): void {
    if (this.#held.length === 0) return;
    const code = this.#codeText();
    const slowCode = isCompletePaymentCode(code) && (this.#allFast || this.#allSlow);
    const fastScan = this.#allFast && this.#held.length >= this.timing.minLengthUnterminated;
    if (slowCode || fastScan || this.#wechatSuffixLead() > 0) {
      const end = this.#lastAt();
      this.#emitScanSplit('idle');
      this.#tailLeft = 1;
      this.#tailUntil = end + this.timing.slowGapMs;
      return;
    }
    this.#releaseHuman();
  }

  /** Emit the held burst as a scan, releasing first any typed keys that led it. */
  #emitScanSplit(end: WedgeScan['end']): void {
    const lead = this.#wechatSuffixLead();
    if (lead > 0) this.#releaseHuman(lead);
    this.#emitScan(end);
    this.#clear();
  }

  /** How many leading keys are a person's, if the burst is one or more typed keys then a WeChat code. */
  #wechatSuffixLead(): number {
    const n = this.#held.length;
    const lead = n - WECHAT_CODE_LENGTH;
    if (lead < 1 || lead > 3) return 0;
    const text = this.#codeText();
    if (isCompleteWechatCode(text)) return 0;
    return isCompleteWechatCode(text.slice(lead)) && isOutlier(this.#gaps, lead - 1) ? lead : 0;
  }

  #emitScan(end: WedgeScan['end']): void {
    const first = this.#held[0];
    const last = this.#held[this.#held.length - 1];
    if (!first || !last) return;
    this.#opts.onScan({ code: this.#codeText(), startedAt: first.human.at, endedAt: last.human.at, end });
  }

  /** Release the first `count` held keys (all by default) to onHumanKey, in order. */
  #releaseHuman(count = this.#held.length): void {
    const released = this.#held.splice(0, count);
    this.#gaps.splice(0, Math.min(count, this.#gaps.length));
    if (this.#held.length === 0) this.#clear();
    else this.#recomputeModes();
    for (const k of released) this.#opts.onHumanKey(k.human);
  }

  #recomputeModes(): void {
    this.#allFast = this.#gaps.every((g) => g <= this.timing.fastGapMs);
    this.#allSlow = this.#gaps.every((g) => g <= this.timing.slowGapMs);
  }

  #emitHuman(e: KeyInput, t: number, deferred: boolean): void {
    this.#opts.onHumanKey(humanKey(e, t, deferred));
  }

  #clear(): void {
    this.#held = [];
    this.#gaps = [];
    this.#allFast = true;
    this.#allSlow = true;
    this.#disarm();
  }

  /** When the held burst can no longer grow, settle it: the timer's job, also done on every key. */
  #settle(t: number): void {
    if (this.#held.length > 0 && t > this.#deadline) this.#resolve();
  }

  #arm(): void {
    this.#disarm();
    if (this.#held.length === 0) return;
    const last = this.#lastAt();
    let deadline = this.#allFast ? last + this.timing.fastGapMs : -Infinity;
    const text = this.#codeText();
    // A fast burst that already is a whole (Alipay) code does not wait a slow gap: a fast scanner does not slow down mid-code.
    const whole = this.#allFast && isCompletePaymentCode(text);
    if (this.#allSlow && !whole && (isPaymentCodePrefix(text) || this.#wechatSuffixLead() > 0)) deadline = Math.max(deadline, last + this.timing.slowGapMs);
    // A burst that can no longer grow is settled on the next turn.
    this.#deadline = Math.max(deadline, last);
    const set = this.#opts.setTimer;
    if (set) this.#timer = set(() => this.tick(), Math.max(0, this.#deadline + this.#lag - this.#opts.now()) + 1);
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.#opts.clearTimer?.(this.#timer);
    this.#timer = undefined;
  }

  #codeText(): string {
    let s = '';
    for (const k of this.#held) s += k.ch;
    return s;
  }

  #lastAt(): number {
    return this.#held[this.#held.length - 1]?.human.at ?? -Infinity;
  }
}

/**
 * The press time when the event carries a plausible one on the now() clock (Chrome: same origin
 * as performance.now()). A main thread starved for seconds still delivers true press times, so
 * the window is generous; a timeStamp on another clock (epoch milliseconds) is far outside it.
 */
const MAX_DELIVERY_LAG_MS = 60_000;
function pressTime(e: KeyInput, now: number): number {
  const ts = e.timeStamp;
  return typeof ts === 'number' && ts > 0 && ts <= now && now - ts < MAX_DELIVERY_LAG_MS ? ts : now;
}

function stop(e: KeyInput): void {
  e.preventDefault();
  if (e.stopImmediatePropagation) e.stopImmediatePropagation();
  else e.stopPropagation();
}

function humanKey(e: KeyInput, at: number, deferred: boolean): HumanKey {
  return {
    key: humanKeyValue(e),
    code: e.code,
    shiftKey: e.shiftKey ?? false,
    ctrlKey: e.ctrlKey ?? false,
    altKey: e.altKey ?? false,
    metaKey: e.metaKey ?? false,
    at,
    deferred,
    target: e.target ?? null,
  };
}

/**
 * Whether gap `i` stands out from the gaps after it: a typed key just before a scan. Scanners send
 * at a steady pace, so a gap over twice the median (and 8 ms more) is not the scanner's.
 */
function isOutlier(gaps: readonly number[], i: number): boolean {
  const gap = gaps[i];
  const rest = gaps.slice(i + 1);
  if (gap === undefined || rest.length === 0) return false;
  const sorted = [...rest].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return gap > Math.max(2 * median, median + 8);
}
