/**
 * localStorage with JSON and no throwing: private mode or a full quota must not stop a sale,
 * so a failed write is reported to the caller (false) instead of raised.
 */
export interface KeyValue {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function browserStorage(): KeyValue | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    // Access itself can throw (storage disabled); the app then keeps state in memory only.
    return undefined;
  }
}

export function readJson<T>(store: KeyValue | undefined, key: string): T | undefined {
  const text = store?.getItem(key);
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    store?.removeItem(key);
    return undefined;
  }
}

export function writeJson(store: KeyValue | undefined, key: string, value: unknown): boolean {
  if (!store) return false;
  try {
    store.setItem(key, JSON.stringify(value));
    return true;
  } catch {
    return false;
  }
}

export const KEYS = {
  token: 'pos.token',
  terminal: 'pos.terminal',
  lang: 'pos.lang',
  pending: 'pos.pending-payment',
  prefs: 'pos.preferences',
  health: 'pos.health',
} as const;
