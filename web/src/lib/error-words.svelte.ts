/**
 * errorText (error-text.ts) for the screens of the first download, without the catalogue in it:
 * every code of both wallets in two languages is a fifth of the checkout's size. It loads right
 * after start, long before a cashier can meet the first error; until then the text is "…".
 */
import type { Operation } from '../../../shared/error-catalogue.ts';
import type { Wallet } from '../../../shared/payment-code.ts';
import type { Lang } from './i18n.svelte.ts';

type ErrorText = typeof import('./error-text.ts').errorText;

let loaded = $state.raw<ErrorText | undefined>(undefined);

export const errorWordsReady: Promise<void> = import('./error-text.ts').then((m) => {
  loaded = m.errorText;
});

export function errorWords(error: unknown, lang: Lang, operation?: Operation, wallet?: Wallet): string {
  return loaded ? loaded(error, lang, operation, wallet) : '…';
}
