/**
 * What the cashier reads for an API error: our own words (in their language) for the codes a
 * person can act on, else the server's message (already in the Accept-Language sent).
 */
import { ApiFailure } from './api.ts';
import { MESSAGES, type MessageKey } from './messages.ts';
import type { Lang } from './i18n.svelte.ts';

export function apiErrorText(err: unknown, lang: Lang): string {
  if (!(err instanceof ApiFailure)) return err instanceof Error ? err.message : String(err);
  if (err.network) return MESSAGES['error.network'][lang];
  const key = `api.${err.code}`;
  return key in MESSAGES ? MESSAGES[key as MessageKey][lang] : err.message;
}
