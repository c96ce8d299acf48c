/**
 * Keeps the tablet's screen on while the app is open (Screen Wake Lock). The browser drops the
 * lock whenever the page is hidden, so it is asked for again each time the page is shown.
 */
export class ScreenAwake {
  #wanted = false;
  #held = $state(false);
  #sentinel: WakeLockSentinel | undefined;

  constructor() {
    globalThis.document?.addEventListener('visibilitychange', () => void this.#acquire());
  }

  get supported(): boolean {
    return 'wakeLock' in (globalThis.navigator ?? {});
  }

  get held(): boolean {
    return this.#held;
  }

  set(on: boolean): void {
    this.#wanted = on;
    if (on) void this.#acquire();
    else void this.#sentinel?.release();
  }

  async #acquire(): Promise<void> {
    if (!this.#wanted || !this.supported || this.#sentinel || document.visibilityState !== 'visible') return;
    try {
      const sentinel = await navigator.wakeLock.request('screen');
      this.#sentinel = sentinel;
      this.#held = true;
      sentinel.addEventListener('release', () => {
        this.#sentinel = undefined;
        this.#held = false;
      });
    } catch {
      // Refused (battery saver, no permission): the screen dims as usual; settings shows it is not held.
      this.#held = false;
    }
  }
}
