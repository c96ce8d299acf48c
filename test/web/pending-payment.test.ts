import { describe, expect, it } from 'vitest';
import { PendingPaymentStore } from '../../web/src/lib/pending-payment.ts';
import { KEYS } from '../../web/src/lib/local-store.ts';
import { MemoryStorage } from './support/fake-server.ts';

describe('PendingPaymentStore', () => {
  it('drops the payment code once the server has acknowledged the payment, keeping the id', () => {
    const store = new PendingPaymentStore(new MemoryStorage());
    store.save({ id: 'p1', amount_fen: 100, auth_code: '134567890123456789', started_at: 1 });
    store.acknowledged('p1');
    expect(store.load()).toEqual({ id: 'p1', amount_fen: 100, started_at: 1 });
  });

  it('clears only the payment it is asked to clear', () => {
    const store = new PendingPaymentStore(new MemoryStorage());
    store.save({ id: 'p2', amount_fen: 5, started_at: 1 });
    store.clear('p1');
    expect(store.load()?.id).toBe('p2');
    store.clear('p2');
    expect(store.load()).toBeUndefined();
  });

  it('ignores a corrupt entry instead of failing the page', () => {
    const storage = new MemoryStorage();
    storage.setItem(KEYS.pending, '{not json');
    expect(new PendingPaymentStore(storage).load()).toBeUndefined();
    storage.setItem(KEYS.pending, JSON.stringify({ id: 'x', amount_fen: 1.5 }));
    expect(new PendingPaymentStore(storage).load()).toBeUndefined();
  });

  it('reports a failed write (storage full or disabled) instead of throwing', () => {
    const full = { getItem: () => null, setItem: () => { throw new Error('QuotaExceededError'); }, removeItem: () => undefined };
    expect(new PendingPaymentStore(full).save({ id: 'p', amount_fen: 1, started_at: 1 })).toBe(false);
    expect(new PendingPaymentStore(undefined).save({ id: 'p', amount_fen: 1, started_at: 1 })).toBe(false);
  });
});
