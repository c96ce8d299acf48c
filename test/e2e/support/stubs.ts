/**
 * Stand-ins for the device APIs the till uses but headless Chromium cannot show (page.addInitScript):
 * speech synthesis with a Chinese and an English voice that records what it was asked to say,
 * a Screen Wake Lock that counts its requests and releases, and window.print that counts calls.
 */
export const DEVICE_STUBS = `(() => {
  const spoken = [];
  window.__spoken = spoken;
  const voices = [
    { lang: 'zh-CN', name: 'Chinese', default: true, localService: true, voiceURI: 'zh-CN' },
    { lang: 'en-US', name: 'English', default: false, localService: true, voiceURI: 'en-US' },
  ];
  window.SpeechSynthesisUtterance = class { constructor(text) { this.text = text; this.lang = ''; this.voice = null; } };
  const synth = { getVoices: () => voices, speak: (u) => spoken.push({ text: u.text, lang: u.lang }), cancel() {}, addEventListener() {}, removeEventListener() {} };
  Object.defineProperty(window, 'speechSynthesis', { value: synth, configurable: true });

  const wake = { requests: 0, released: 0, held: false };
  window.__wake = wake;
  Object.defineProperty(Navigator.prototype, 'wakeLock', { configurable: true, get: () => ({
    async request() {
      wake.requests++;
      wake.held = true;
      const sentinel = new EventTarget();
      sentinel.release = async () => { wake.released++; wake.held = false; sentinel.dispatchEvent(new Event('release')); };
      return sentinel;
    },
  }) });

  window.__printed = 0;
  window.print = () => { window.__printed++; };
})();`;
