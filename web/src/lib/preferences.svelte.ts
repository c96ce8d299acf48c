/**
 * The till's own settings, kept in this browser: beeps, the spoken amount and keeping the screen
 * on, all on by default (a cashier hears the result without looking and the tablet never dims).
 */
import { KEYS, readJson, writeJson, type KeyValue } from './local-store.ts';

interface Saved {
  tones?: boolean;
  voice?: boolean;
  keepAwake?: boolean;
}

export class Preferences {
  #tones = $state(true);
  #voice = $state(true);
  #keepAwake = $state(true);

  constructor(private readonly store: KeyValue | undefined) {
    const saved = readJson<Saved>(store, KEYS.prefs) ?? {};
    if (typeof saved.tones === 'boolean') this.#tones = saved.tones;
    if (typeof saved.voice === 'boolean') this.#voice = saved.voice;
    if (typeof saved.keepAwake === 'boolean') this.#keepAwake = saved.keepAwake;
  }

  get tones(): boolean { return this.#tones; }
  set tones(on: boolean) { this.#tones = on; this.#save(); }
  get voice(): boolean { return this.#voice; }
  set voice(on: boolean) { this.#voice = on; this.#save(); }
  get keepAwake(): boolean { return this.#keepAwake; }
  set keepAwake(on: boolean) { this.#keepAwake = on; this.#save(); }

  #save(): void {
    writeJson(this.store, KEYS.prefs, { tones: this.#tones, voice: this.#voice, keepAwake: this.#keepAwake });
  }
}
