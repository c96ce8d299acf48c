/**
 * The cashier's language: Chinese or English, chosen in settings, defaulting to the browser's.
 * `t` reads `lang` (runes state), so every text re-renders when the language changes.
 */
import { MESSAGES, type MessageKey } from './messages.ts';
import { KEYS, browserStorage } from './local-store.ts';

export type Lang = 'zh' | 'en';

export function defaultLang(navigatorLanguage: string | undefined): Lang {
  return navigatorLanguage?.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

class I18n {
  #lang = $state<Lang>('en');

  constructor() {
    const saved = browserStorage()?.getItem(KEYS.lang);
    this.#lang = saved === 'zh' || saved === 'en' ? saved : defaultLang(globalThis.navigator?.language);
  }

  get lang(): Lang {
    return this.#lang;
  }

  set lang(value: Lang) {
    this.#lang = value;
    browserStorage()?.setItem(KEYS.lang, value);
    if (globalThis.document) document.documentElement.lang = value === 'zh' ? 'zh-CN' : 'en';
  }

  t = (key: MessageKey, params?: Record<string, string | number>): string => {
    let text: string = MESSAGES[key][this.#lang];
    if (params) for (const [k, v] of Object.entries(params)) text = text.replace(`{${k}}`, String(v));
    return text;
  };
}

export const i18n = new I18n();
export const t = i18n.t;
