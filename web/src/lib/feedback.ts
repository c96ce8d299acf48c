/**
 * Sound the cashier hears without looking: a short high double beep for success, a low long buzz
 * for failure, a single click-like tick for a refused action. WebAudio, created on first use
 * (browsers only allow audio after a user gesture, which every sale starts with).
 */
import type { Payment } from '../../../shared/api.ts';

export interface Feedback {
  /** A payment succeeded (the announcer speaks its amount). */
  success(payment?: Payment): void;
  failure(): void;
  notice(): void;
}

type Tone = { freq: number; start: number; length: number; type: OscillatorType };

export class BeepFeedback implements Feedback {
  #ctx: AudioContext | undefined;

  success = () => this.#play([
    { freq: 1046, start: 0, length: 0.09, type: 'sine' },
    { freq: 1568, start: 0.11, length: 0.16, type: 'sine' },
  ]);
  failure = () => this.#play([
    { freq: 220, start: 0, length: 0.45, type: 'square' },
    { freq: 180, start: 0.5, length: 0.35, type: 'square' },
  ]);
  notice = () => this.#play([{ freq: 660, start: 0, length: 0.08, type: 'triangle' }]);

  #play(tones: Tone[]): void {
    const Ctor = globalThis.AudioContext;
    if (!Ctor) return;
    this.#ctx ??= new Ctor();
    const ctx = this.#ctx;
    if (ctx.state === 'suspended') void ctx.resume();
    for (const tone of tones) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      const at = ctx.currentTime + tone.start;
      osc.type = tone.type;
      osc.frequency.value = tone.freq;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.25, at + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + tone.length);
      osc.connect(gain).connect(ctx.destination);
      osc.start(at);
      osc.stop(at + tone.length + 0.02);
    }
  }
}
