import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../../server/store/migrations.ts';
import { openSqliteStore } from '../../../server/store/sqlite.ts';
import type { NewPayment, NewRefund, Store } from '../../../server/store/types.ts';

const T0 = Date.UTC(2026, 10, 28, 2, 0, 0);

function newPayment(over: Partial<NewPayment> = {}): NewPayment {
  const id = over.id ?? 'p1';
  return {
    id,
    out_trade_no: `o_${id}`,
    terminal_id: 't1',
    amount_fen: 100,
    description: null,
    auth_code_masked: '1300**********1234',
    auth_code_hash: 'h',
    status: 'processing',
    step: 'send',
    error_code: null,
    error_message: null,
    transaction_id: null,
    late_payment: false,
    cancel_requested: false,
    send_rejected: false,
    sent_at: null,
    reverse_decided_at: null,
    reverse_reason: null,
    reverse_attempts: 0,
    deadline_at: T0 + 45_000,
    reverse_after: T0 + 15_000,
    next_at: T0,
    created_at: T0,
    updated_at: T0,
    ...over,
  };
}

function newRefund(over: Partial<NewRefund> = {}): NewRefund {
  return {
    id: 'r1',
    payment_id: 'p1',
    amount_fen: 40,
    reason: null,
    status: 'processing',
    step: 'send',
    error_code: null,
    error_message: null,
    refund_id: null,
    attempts: 0,
    next_at: T0,
    created_at: T0,
    updated_at: T0,
    ...over,
  };
}

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'store-'));
  store = openSqliteStore(dir);
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('openSqliteStore', () => {
  it('records numbered migrations and runs in WAL mode', async () => {
    await store.close();
    const db = new Database(join(dir, 'micropay.sqlite'));
    expect(db.prepare('SELECT version FROM schema_migrations').pluck().all()).toEqual(MIGRATIONS.map((m) => m.version));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    store = openSqliteStore(dir); // reopening applies nothing twice
    expect(await store.payment('none')).toBeUndefined();
  });

  it('opens with every commit fsynced when asked for synchronous full', async () => {
    const full = openSqliteStore(dir, { fileName: 'full.sqlite', synchronous: 'full' });
    await full.insertPayment(newPayment());
    expect((await full.payment('p1'))?.id).toBe('p1');
    await full.close();
  });

  it('keeps payments across a reopen of the same directory', async () => {
    await store.insertPayment(newPayment());
    await store.close();
    store = openSqliteStore(dir);
    expect((await store.payment('p1'))?.amount_fen).toBe(100);
  });
});

describe('payments', () => {
  it('inserts once and answers exists for the same id', async () => {
    expect((await store.insertPayment(newPayment())).kind).toBe('created');
    const again = await store.insertPayment(newPayment({ amount_fen: 999 }));
    expect(again.kind).toBe('exists');
    expect(again.kind === 'exists' && again.payment.amount_fen).toBe(100);
  });

  it('refuses a second payment in progress on the same terminal and names the first', async () => {
    await store.insertPayment(newPayment());
    const second = await store.insertPayment(newPayment({ id: 'p2' }));
    expect(second).toMatchObject({ kind: 'terminal_busy', active: { id: 'p1' } });
    expect((await store.insertPayment(newPayment({ id: 'p3', terminal_id: 't2' }))).kind).toBe('created');
  });

  it('frees the terminal once the payment leaves processing/user_paying', async () => {
    await store.insertPayment(newPayment());
    await store.transitionPayment('p1', () => ({ status: 'needs_attention', step: 'reverse', updated_at: T0 + 1 }));
    expect((await store.insertPayment(newPayment({ id: 'p2' }))).kind).toBe('created');
  });

  it('journals an event for every status or step change, and none for a no-op', async () => {
    await store.insertPayment(newPayment());
    await store.transitionPayment('p1', () => ({ step: 'query', sent_at: T0, updated_at: T0 + 1 }));
    const noop = await store.transitionPayment('p1', () => undefined);
    expect(noop?.changed).toBe(false);
    await store.transitionPayment('p1', () => ({ status: 'succeeded', step: 'done', transaction_id: 'tx', updated_at: T0 + 2 }));
    const events = await store.paymentEvents('p1');
    expect(events.map((e) => `${e.from_status}/${e.from_step}->${e.to_status}/${e.to_step}`)).toEqual([
      'null/null->processing/send',
      'processing/send->processing/query',
      'processing/query->succeeded/done',
    ]);
  });

  it('lists payments created in a half-open time range', async () => {
    await store.insertPayment(newPayment({ id: 'a', terminal_id: 'x', created_at: T0 - 1 }));
    await store.insertPayment(newPayment({ id: 'b', terminal_id: 'y', created_at: T0 }));
    await store.insertPayment(newPayment({ id: 'c', terminal_id: 'z', created_at: T0 + 10 }));
    expect((await store.paymentsCreatedBetween(T0, T0 + 10)).map((p) => p.id)).toEqual(['b']);
  });
});

describe('leases', () => {
  it('lets only one owner claim an unfinished payment until its lease expires', async () => {
    await store.insertPayment(newPayment());
    expect((await store.claimPayments('A', T0, 1000, T0, 10)).map((p) => p.id)).toEqual(['p1']);
    expect(await store.claimPayments('B', T0 + 500, 1000, T0 + 500, 10)).toEqual([]);
    expect(await store.claimPayment('p1', 'B', T0 + 500, 1000)).toBeUndefined();
    expect((await store.claimPayment('p1', 'A', T0 + 500, 1000))?.lease_until).toBe(T0 + 1500);
    expect((await store.claimPayment('p1', 'B', T0 + 1501, 1000))?.lease_owner).toBe('B');
  });

  it('does not hand out payments that are not due yet or finished', async () => {
    await store.insertPayment(newPayment({ next_at: T0 + 5000 }));
    await store.insertPayment(newPayment({ id: 'p2', terminal_id: 't2', status: 'succeeded', step: 'done' }));
    expect(await store.claimPayments('A', T0, 1000, T0, 10)).toEqual([]);
    expect((await store.claimPayments('A', T0, 1000, Number.MAX_SAFE_INTEGER, 10)).map((p) => p.id)).toEqual(['p1']);
  });

  it('releases a lease only for its owner', async () => {
    await store.insertPayment(newPayment());
    await store.claimPayment('p1', 'A', T0, 1000);
    await store.releasePayment('p1', 'B');
    expect((await store.payment('p1'))?.lease_owner).toBe('A');
    await store.releasePayment('p1', 'A');
    expect((await store.payment('p1'))?.lease_owner).toBeNull();
  });
});

describe('refunds', () => {
  beforeEach(async () => {
    await store.insertPayment(newPayment({ status: 'succeeded', step: 'done' }));
  });

  it('refuses refunds of payments that did not succeed', async () => {
    await store.insertPayment(newPayment({ id: 'p2', terminal_id: 't2' }));
    expect((await store.insertRefund(newRefund({ payment_id: 'p2' }))).kind).toBe('not_allowed');
    expect((await store.insertRefund(newRefund({ payment_id: 'nope' }))).kind).toBe('payment_not_found');
  });

  it('reserves processing refunds so the total never exceeds the paid amount', async () => {
    expect((await store.insertRefund(newRefund())).kind).toBe('created');
    expect((await store.insertRefund(newRefund({ id: 'r2', amount_fen: 61 })))).toEqual({ kind: 'too_large', remaining_fen: 60 });
    expect((await store.insertRefund(newRefund({ id: 'r2', amount_fen: 60 }))).kind).toBe('created');
  });

  it('derives refunded_fen from succeeded refunds only', async () => {
    await store.insertRefund(newRefund());
    expect((await store.payment('p1'))?.refunded_fen).toBe(0);
    await store.transitionRefund('r1', () => ({ status: 'succeeded', step: 'done', updated_at: T0 + 1 }));
    expect((await store.payment('p1'))?.refunded_fen).toBe(40);
  });

  it('gives failed refunds their amount back', async () => {
    await store.insertRefund(newRefund({ amount_fen: 100 }));
    await store.transitionRefund('r1', () => ({ status: 'failed', step: 'done', updated_at: T0 + 1 }));
    expect((await store.insertRefund(newRefund({ id: 'r2', amount_fen: 100 }))).kind).toBe('created');
  });
});

describe('terminals, pairing, settings', () => {
  const till = { id: 't1', name: 'Till 1', created_at: T0, paired_at: null };
  const token = (hash: string) => ({ token_hash: hash, terminal_id: 't1', created_at: T0 });
  const code = (hash: string, expires_at = T0 + 1000) => ({ code_hash: hash, terminal_id: 't1', expires_at });

  it('finds a terminal by each of its token hashes until they are revoked', async () => {
    await store.createTerminal(till, token('aa'), code('c1'));
    expect((await store.terminalByTokenHash('aa'))?.name).toBe('Till 1');
    expect((await store.redeemPairingCode('c1', T0, { token_hash: 'bb', created_at: T0 }))?.paired_at).toBe(T0);
    expect((await store.terminalByTokenHash('bb'))?.id).toBe('t1');
    expect((await store.terminalByTokenHash('aa'))?.id).toBe('t1');
    expect(await store.revokeTokens('t1')).toBe(2);
    expect(await store.terminalByTokenHash('aa')).toBeUndefined();
    expect(await store.terminalByTokenHash('bb')).toBeUndefined();
    expect(await store.terminal('t1')).toEqual(till);
    expect((await store.listTerminals()).map((t) => t.id)).toEqual(['t1']);
  });

  it('redeems a pairing code once and never after it expires', async () => {
    await store.createTerminal(till, token('aa'), code('c1'));
    expect(await store.rotateTerminal('t1', token('a2'), code('c2'))).toBe(true);
    expect(await store.redeemPairingCode('c1', T0, { token_hash: 'x1', created_at: T0 })).toBeUndefined(); // revoked by the rotation
    await store.rotateTerminal('t1', token('a3'), code('c3', T0 + 10));
    expect(await store.redeemPairingCode('c3', T0 + 10, { token_hash: 'x3', created_at: T0 })).toBeUndefined();
    expect(await store.redeemPairingCode('zz', T0, { token_hash: 'x4', created_at: T0 })).toBeUndefined();
    expect(await store.terminalByTokenHash('x1')).toBeUndefined();
  });

  it('rotates: every older token and unused code revoked, the new ones valid', async () => {
    await store.createTerminal(till, token('aa'), code('c1'));
    await store.redeemPairingCode('c1', T0, { token_hash: 'device', created_at: T0 });
    expect(await store.rotateTerminal('t1', token('new'), code('c2'))).toBe(true);
    expect(await store.terminalByTokenHash('aa')).toBeUndefined();
    expect(await store.terminalByTokenHash('device')).toBeUndefined();
    expect((await store.terminal('t1'))?.paired_at).toBeNull();
    expect((await store.terminalByTokenHash('new'))?.id).toBe('t1');
    expect((await store.redeemPairingCode('c2', T0, { token_hash: 'd2', created_at: T0 }))?.id).toBe('t1');
    expect(await store.rotateTerminal('nope', token('zz'), code('c9'))).toBe(false);
  });

  it('removes a terminal with its tokens and codes, keeping its payments', async () => {
    await store.createTerminal(till, token('aa'), code('c1'));
    await store.insertPayment(newPayment({ terminal_id: 't1' }));
    expect(await store.removeTerminal('t1')).toBe(true);
    expect(await store.terminal('t1')).toBeUndefined();
    expect(await store.terminalByTokenHash('aa')).toBeUndefined();
    expect(await store.redeemPairingCode('c1', T0, { token_hash: 'x', created_at: T0 })).toBeUndefined();
    expect((await store.payment('p1'))?.terminal_id).toBe('t1');
    expect(await store.removeTerminal('t1')).toBe(false);
  });

  it('stores and overwrites settings', async () => {
    expect(await store.setting('pin')).toBeUndefined();
    await store.setSetting('pin', 'x');
    await store.setSetting('pin', 'y');
    expect(await store.setting('pin')).toBe('y');
  });

  it('initialises a setting once: the first value stays', async () => {
    expect(await store.initSetting('secret', 'first')).toBe('first');
    expect(await store.initSetting('secret', 'second')).toBe('first');
    expect(await store.setting('secret')).toBe('first');
  });
});
