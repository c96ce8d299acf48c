import { describe, expect, it } from 'vitest';
import { defaultLang, i18n } from '../../web/src/lib/i18n.svelte.ts';
import { MESSAGES } from '../../web/src/lib/messages.ts';

describe('i18n', () => {
  it.each([['zh-CN', 'zh'], ['zh-TW', 'zh'], ['en-US', 'en'], ['fr', 'en'], [undefined, 'en']] as const)('defaults %s to %s', (nav, lang) => {
    expect(defaultLang(nav)).toBe(lang);
  });

  it('fills parameters in the chosen language', () => {
    i18n.lang = 'zh';
    expect(i18n.t('checkout.timeLeft', { s: 12 })).toBe('剩余 12 秒');
    i18n.lang = 'en';
    expect(i18n.t('checkout.timeLeft', { s: 12 })).toBe('12 s left');
  });

  it('has every text in both languages', () => {
    for (const [key, text] of Object.entries(MESSAGES)) {
      expect(text.zh.trim(), key).not.toBe('');
      expect(text.en.trim(), key).not.toBe('');
    }
  });
});
