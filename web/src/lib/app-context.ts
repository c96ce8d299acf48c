/** What every screen needs, provided once by the root component (Svelte context). */
import { getContext, setContext } from 'svelte';
import type { Api } from './api.ts';
import type { Checkout } from './checkout.svelte.ts';
import type { Session } from './session.svelte.ts';
import type { Scanner } from './scanner/index.ts';
import type { ShiftGate } from './shift-gate.svelte.ts';
import type { ServerLink } from './server-link.svelte.ts';
import type { Preferences } from './preferences.svelte.ts';
import type { Feedback } from './feedback.ts';
import type { ScreenAwake } from './wake-lock.svelte.ts';

export interface AppContext {
  api: Api;
  checkout: Checkout;
  session: Session;
  scanner: Scanner;
  shift: ShiftGate;
  link: ServerLink;
  prefs: Preferences;
  /** The bare beeps (the settings' test button). */
  beeps: Feedback;
  awake: ScreenAwake;
}

const KEY = Symbol('app');
export const provideApp = (ctx: AppContext): AppContext => setContext(KEY, ctx);
export const useApp = (): AppContext => getContext<AppContext>(KEY);
