import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Payment } from '../../shared/api.ts';
import { Announcer, announcement } from '../../web/src/lib/announcer.ts';
import type { Feedback } from '../../web/src/lib/feedback.ts';

/** The success announcement through a stand-in speechSynthesis, as the browser's would be used. */
const spoken: { text: string; lang: string }[] = [];
function installVoices(langs: string[]): void {
  vi.stubGlobal('SpeechSynthesisUtterance', class {
    voice: SpeechSynthesisVoice | null = null;
    lang = '';
    constructor(readonly text: string) {}
  });
  vi.stubGlobal('speechSynthesis', {
    getVoices: () => langs.map((lang) => ({ lang, name: lang })),
    cancel: () => undefined,
    speak: (u: { text: string; lang: string }) => spoken.push({ text: u.text, lang: u.lang }),
  });
}

const paid = { id: 'p', amount_fen: 2580, status: 'succeeded' } as Payment;

function announcer(prefs: { tones: boolean; voice: boolean }, lang: 'zh' | 'en' = 'zh') {
  const beeps: string[] = [];
  const feedback: Feedback = { success: () => beeps.push('success'), failure: () => beeps.push('failure'), notice: () => beeps.push('notice') };
  return { a: new Announcer(feedback, prefs, () => lang), beeps };
}

beforeEach(() => (spoken.length = 0));
afterEach(() => vi.unstubAllGlobals());

describe('Announcer', () => {
  it('beeps and says the amount received in the cashier’s language', () => {
    installVoices(['zh-CN', 'en-US']);
    const { a, beeps } = announcer({ tones: true, voice: true });
    a.success(paid);
    expect(spoken).toEqual([{ text: '微信收款 25.80 元', lang: 'zh-CN' }]);
    expect(beeps).toEqual(['success']);
    expect(announcement(2580, 'en')).toBe('WeChat Pay received 25.80 yuan');
    expect(announcement(2580, 'zh', 'alipay')).toBe('支付宝收款 25.80 元');
  });

  it('stays silent but for the voice when the beeps are off', () => {
    installVoices(['en-GB']);
    const { a, beeps } = announcer({ tones: false, voice: true }, 'en');
    a.success(paid);
    expect(spoken).toEqual([{ text: 'WeChat Pay received 25.80 yuan', lang: 'en-GB' }]);
    expect(beeps).toEqual([]);
  });

  it('falls back to the beeps when no voice is installed for the language', () => {
    installVoices(['en-US']);
    const { a, beeps } = announcer({ tones: false, voice: true }, 'zh');
    a.success(paid);
    expect(spoken).toEqual([]);
    expect(beeps).toEqual(['success']);
  });

  it('says nothing when the announcement is off', () => {
    installVoices(['zh-CN']);
    const { a, beeps } = announcer({ tones: true, voice: false });
    a.success(paid);
    a.failure();
    expect(spoken).toEqual([]);
    expect(beeps).toEqual(['success', 'failure']);
  });
});
