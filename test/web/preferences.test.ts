import { describe, expect, it } from 'vitest';
import { Preferences } from '../../web/src/lib/preferences.svelte.ts';
import { MemoryStorage } from './support/fake-server.ts';

describe('Preferences', () => {
  it('has the beeps, the voice and keep-screen-on all on by default', () => {
    const p = new Preferences(new MemoryStorage());
    expect([p.tones, p.voice, p.keepAwake]).toEqual([true, true, true]);
  });

  it('keeps what the cashier chose across a reload', () => {
    const storage = new MemoryStorage();
    const p = new Preferences(storage);
    p.voice = false;
    p.keepAwake = false;
    const again = new Preferences(storage);
    expect([again.tones, again.voice, again.keepAwake]).toEqual([true, false, false]);
  });
});
