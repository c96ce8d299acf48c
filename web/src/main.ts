/**
 * Boot: one Api, Session, Checkout and Scanner for the page; scans and typed keys go to the
 * checkout (only on the checkout screen); capture pauses while a text field (PIN, pairing code)
 * has focus, so typing there is never taken for a scan or an amount. The screen stays on while
 * the app is open, unless the cashier turned that off.
 */
import { mount } from 'svelte';
import App from './app.svelte';
import './app.css';
import { Api } from './lib/api.ts';
import { Session } from './lib/session.svelte.ts';
import { Checkout } from './lib/checkout.svelte.ts';
import { PendingPaymentStore } from './lib/pending-payment.ts';
import { BeepFeedback } from './lib/feedback.ts';
import { Announcer } from './lib/announcer.ts';
import { Preferences } from './lib/preferences.svelte.ts';
import { ServerLink } from './lib/server-link.svelte.ts';
import { ScreenAwake } from './lib/wake-lock.svelte.ts';
import { KEYS, browserStorage } from './lib/local-store.ts';
import { router } from './lib/router.svelte.ts';
import { pwaUpdate } from './lib/pwa-update.svelte.ts';
import { i18n } from './lib/i18n.svelte.ts';
import { Scanner } from './lib/scanner/index.ts';
import { ShiftGate } from './lib/shift-gate.svelte.ts';

const storage = browserStorage();
const session = new Session(storage);
const link = new ServerLink();
const api = new Api({ token: session.tokenGetter, lang: () => i18n.lang, onUnauthorized: () => session.unpair(), onReachable: link.report });
const pending = new PendingPaymentStore(storage);
const prefs = new Preferences(storage);
const beeps = new BeepFeedback();
const checkout = new Checkout(api, pending, new Announcer(beeps, prefs, () => i18n.lang), undefined, link);
const scanner = new Scanner();
const shift = new ShiftGate(api, () => session.paired);
const awake = new ScreenAwake();
awake.set(prefs.keepAwake);

document.documentElement.lang = i18n.lang === 'zh' ? 'zh-CN' : 'en';

// The checkout takes keys only when it is on screen: not on an owner's phone, not while a cashier must sign in.
const onCheckout = () => router.route.name === 'checkout' && session.paired && session.role !== 'owner' && !shift.blocking;
scanner.onScan((scan) => {
  if (onCheckout()) checkout.scan(scan.code);
});
scanner.onHumanKey((e) => {
  // Shortcuts (Ctrl+R, Alt+Tab…) are the browser's, not amount keys.
  if (onCheckout() && !e.ctrlKey && !e.altKey && !e.metaKey) checkout.key(e.key);
});
scanner.start(window);

const isTextField = (el: Element | null) =>
  el instanceof HTMLElement && (el.matches('input, textarea, select') || el.isContentEditable);
// Capture pauses while a text field has focus. Chrome fires no focusout when the focused field
// is removed (a dialog closing after Enter), so also re-check whenever the DOM's structure changes.
const syncCapture = () => {
  const paused = isTextField(document.activeElement);
  if (scanner.enabled === paused) scanner.enabled = !paused;
};
document.addEventListener('focusin', syncCapture);
document.addEventListener('focusout', () => queueMicrotask(syncCapture));
new MutationObserver(syncCapture).observe(document.body, { childList: true, subtree: true });

// A payment started in another tab of this POS: follow it here too.
window.addEventListener('storage', (e) => {
  if (e.key !== KEYS.pending || !e.newValue) return;
  const p = pending.load();
  // A held payment of this tab may have been answered in the other one: look again.
  if (p && (!checkout.busy || checkout.phase === 'unsent')) void checkout.adopt(p);
});

if (session.paired) void checkout.resume();
pwaUpdate.register();
shift.start();

mount(App, { target: document.getElementById('app')!, props: { app: { api, session, checkout, scanner, shift, link, prefs, beeps, awake } } });
