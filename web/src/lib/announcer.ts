/**
 * What the till says when a sale ends: the beeps (feedback.ts) and, on success, the amount
 * spoken through the browser's speech synthesis ("微信收款 25.80 元"), each as the cashier set
 * them (preferences.svelte.ts). With no voice installed for the language, the beeps stand in.
 */
import type { Payment } from '../../../shared/api.ts';
import { formatYuan } from '../../../shared/money.ts';
import type { Feedback } from './feedback.ts';
import type { Lang } from './i18n.svelte.ts';
import { MESSAGES } from './messages.ts';

export interface SoundPreferences {
  readonly tones: boolean;
  readonly voice: boolean;
}

/** A voice for the language, if the device has one (Chrome fills the list shortly after load). */
export function voiceFor(lang: Lang): SpeechSynthesisVoice | undefined {
  const voices = globalThis.speechSynthesis?.getVoices() ?? [];
  return voices.find((v) => v.lang.toLowerCase().startsWith(lang === 'zh' ? 'zh' : 'en'));
}

/** Speaks `text`; false when no voice can (then the caller beeps instead). */
export function speak(text: string, lang: Lang): boolean {
  const synth = globalThis.speechSynthesis;
  const voice = voiceFor(lang);
  if (!synth || !voice) return false;
  const utterance = new SpeechSynthesisUtterance(text);
  utterance.voice = voice;
  utterance.lang = voice.lang;
  synth.cancel(); // the last sale's words, if still going, give way to this one
  synth.speak(utterance);
  return true;
}

/** What the speaker says: the wallet that received, and the amount. */
export const announcement = (amountFen: number, lang: Lang, wallet: 'wechat' | 'alipay' = 'wechat'): string =>
  MESSAGES[wallet === 'alipay' ? 'checkout.voiceAlipay' : 'checkout.voice'][lang].replace('{amount}', formatYuan(amountFen));

export class Announcer implements Feedback {
  constructor(
    private readonly beeps: Feedback,
    private readonly prefs: SoundPreferences,
    private readonly lang: () => Lang,
  ) {}

  success = (payment?: Payment): void => {
    const spoken = !!payment && this.prefs.voice && speak(announcement(payment.amount_fen, this.lang(), payment.wallet), this.lang());
    if (this.prefs.tones || (this.prefs.voice && !spoken)) this.beeps.success();
  };

  failure = (): void => {
    if (this.prefs.tones) this.beeps.failure();
  };

  notice = (): void => {
    if (this.prefs.tones) this.beeps.notice();
  };
}
