/**
 * The service worker (vite-plugin-pwa, registerType 'prompt'): the app shell is precached so the
 * POS opens offline; a new version waits until the cashier taps "Reload" (never mid-payment).
 */
import { registerSW } from 'virtual:pwa-register';

class PwaUpdate {
  #needRefresh = $state(false);
  #update: ((reload?: boolean) => Promise<void>) | undefined;

  get needRefresh(): boolean { return this.#needRefresh; }

  register(): void {
    if (!('serviceWorker' in navigator)) return;
    this.#update = registerSW({
      immediate: true,
      onNeedRefresh: () => (this.#needRefresh = true),
    });
  }

  reload(): void {
    void this.#update?.(true);
  }

  dismiss(): void {
    this.#needRefresh = false;
  }
}

export const pwaUpdate = new PwaUpdate();
