import { setMaxListeners } from 'node:events';
import { GatewayConfigError, GatewayError, GatewayRequestError, type Outcome } from '../wechat/gateway.ts';
import type { PaymentPatch, PaymentRow, Store, Transition } from '../store/types.ts';
import type { Logger } from '../log.ts';
import type { Clock } from './clock.ts';
import type { ResolvedFlowConfig } from './config.ts';
import { portOf, WALLET_CATALOGUES, type WalletPorts } from './port.ts';
import {
  afterMicropay,
  afterQuery,
  afterReverse,
  beforeMicropay,
  beforeReverse,
  isSettled,
  resumeUnsent,
  type Answer,
  type Ctx,
  type UnknownAnswer,
} from './transitions.ts';

export interface FlowDeps {
  store: Store;
  /** The gateway of each wallet this till takes (port.ts); a payment is driven by its wallet's. */
  ports: WalletPorts;
  clock: Clock;
  config: ResolvedFlowConfig;
  log: Logger;
  /** This instance's lease owner name: stable across restarts of one instance, unique among instances. */
  owner: string;
}

const UNKNOWN_CODES: Record<GatewayError['kind'], UnknownAnswer['code']> = {
  timeout: 'GATEWAY_TIMEOUT',
  network: 'NETWORK',
  bad_signature: 'BAD_SIGNATURE',
  bad_response: 'BAD_RESPONSE',
};

/**
 * Runs one gateway call; whatever goes wrong becomes an answer, never a throw. An unknown outcome
 * (timeout, network, forged or malformed answer) is logged as a warning with why, and `context`
 * (the payment or refund it was for).
 */
export async function callGateway<T>(call: () => Promise<Outcome<T>>, log: Logger, context: Record<string, unknown> = {}): Promise<Answer<T>> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof GatewayError) {
      const code = UNKNOWN_CODES[error.kind];
      log.warn('gateway outcome unknown', { ...context, code, detail: error.message });
      return { kind: 'unknown', code, detail: error.message };
    }
    if (error instanceof GatewayConfigError) return { kind: 'config', code: error.code, detail: error.message };
    if (error instanceof GatewayRequestError) {
      log.warn('gateway request could not be built', { ...context, code: 'REQUEST_INVALID', detail: error.message });
      return { kind: 'config', code: 'REQUEST_INVALID', detail: error.message };
    }
    log.error('gateway call failed unexpectedly', { ...context, error });
    return { kind: 'unknown', code: 'INTERNAL', detail: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Drives payments to a final answer: one async loop per payment in this process, each step
 * journaled before it is acted on, under a row lease so several instances never act on the same
 * payment at once. Everything it needs to continue is in the journal: after a restart, `resume`
 * picks every unfinished payment up where it stood.
 */
export class PaymentFlow {
  readonly #deps: FlowDeps;
  readonly #wakers = new Map<string, AbortController>();
  readonly #running = new Map<string, Promise<void>>();
  /** Payments being created here, with how many create calls hold each (retries may overlap). */
  readonly #reserved = new Map<string, number>();
  readonly #closing = new AbortController();
  readonly #listeners = new Set<(t: Transition) => void>();

  constructor(deps: FlowDeps) {
    this.#deps = deps;
    // Every wait listens to the closing signal; there can be many at once.
    setMaxListeners(0, this.#closing.signal);
  }

  get closed(): boolean {
    return this.#closing.signal.aborted;
  }

  isRunning(id: string): boolean {
    return this.#running.has(id) || this.#reserved.has(id);
  }

  /**
   * Marks payment `id` as driven here while it is being created: its row is committed, and waits
   * for the disk, before run() gets the payment code, and the recovery sweep must not start it
   * meanwhile without the code. Returns the release (after run() was called, or the insert failed).
   */
  reserve(id: string): () => void {
    this.#reserved.set(id, (this.#reserved.get(id) ?? 0) + 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      const left = this.#reserved.get(id)! - 1;
      if (left > 0) this.#reserved.set(id, left);
      else this.#reserved.delete(id);
    };
  }

  /** Called after every journaled change (tests and waiting requests listen). */
  onTransition(listener: (t: Transition) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Starts driving payment `id` unless this process already does. `authCode` (in memory only) is
   * given for a fresh payment; without it an unsent payment is settled by query. `claimed` is the
   * row as just inserted with this instance's lease (saves claiming it again). `onFirstStep` gets
   * the row as the first step journaled it (nothing if the loop ended without a step).
   */
  run(id: string, authCode?: string, onFirstStep?: (row?: PaymentRow) => void, claimed?: PaymentRow): Promise<void> {
    const existing = this.#running.get(id);
    if (existing) return existing;
    if (this.closed) {
      onFirstStep?.();
      return Promise.resolve();
    }
    const task = this.#drive(id, authCode, onFirstStep, claimed).finally(() => {
      this.#running.delete(id);
      onFirstStep?.();
    });
    this.#running.set(id, task);
    return task;
  }

  /** Cuts the current wait of payment `id` short (a cancel arrived). */
  wake(id: string): void {
    this.#wakers.get(id)?.abort();
  }

  /** Journals `decide`'s patch (with updated_at) and logs the transition. */
  async apply(id: string, decide: (row: PaymentRow, ctx: Ctx) => PaymentPatch | undefined): Promise<Transition | undefined> {
    const now = this.#deps.clock.now();
    const { owner, config } = this.#deps;
    const t = await this.#deps.store.transitionPayment(id, (row) => {
      const patch = decide(row, { now, config, catalogue: WALLET_CATALOGUES[row.wallet] });
      if (!patch || Object.keys(patch).length === 0) return undefined;
      // Settled by this change: our lease goes in the same write (no separate release transaction).
      const settles = (patch.step === 'done' || patch.step === 'manual') && row.lease_owner === owner;
      return settles ? { ...patch, updated_at: now, lease_owner: null, lease_until: null } : { ...patch, updated_at: now };
    });
    if (t?.changed) this.#announce(t);
    return t;
  }

  #announce(t: Transition): void {
    const { before, after } = t;
    if (before.status !== after.status || before.step !== after.step) {
      const level = after.status === 'needs_attention' || after.status === 'failed' ? 'warn' : 'info';
      this.#deps.log[level]('payment', {
        id: after.id,
        out_trade_no: after.out_trade_no,
        from: before.status,
        to: after.status,
        step: after.step,
        amount_fen: after.amount_fen,
        wallet: after.wallet,
        terminal: after.terminal_id,
        code: after.error_code ?? undefined,
        late_payment: after.late_payment || undefined,
        auth_code: after.auth_code_masked,
      });
    }
    for (const listener of this.#listeners) listener(t);
  }

  async #drive(id: string, authCode: string | undefined, onFirstStep?: (row?: PaymentRow) => void, claimed?: PaymentRow): Promise<void> {
    const { store, clock, config, owner, log } = this.#deps;
    let code = authCode;
    let fresh = claimed;
    let released = false;
    try {
      while (!this.closed) {
        const now = clock.now();
        const row = fresh ?? (await store.claimPayment(id, owner, now, config.leaseMs));
        fresh = undefined;
        if (!row) {
          released = true; // finished, or another instance holds the lease: nothing of ours to free
          return;
        }
        if (row.next_at > now) {
          // needs_attention moves at a slow pace: leave it to the recovery sweep, free the lease.
          if (row.status === 'needs_attention') break;
          await this.#sleep(id, Math.min(row.next_at - now, config.leaseMs / 2));
          continue;
        }
        const t = await this.#step(row, code);
        code = undefined; // single use: after the first step it is never needed again
        onFirstStep?.(t?.after);
        if (t?.changed && isSettled(t.after) && t.after.lease_owner === null) {
          released = true; // the settling write released the lease
          return;
        }
      }
    } catch (error) {
      log.error('payment flow stopped; the recovery sweep will pick it up again', { id, error });
    } finally {
      if (!released) await this.#release(id);
    }
  }

  async #release(id: string): Promise<void> {
    try {
      await this.#deps.store.releasePayment(id, this.#deps.owner);
    } catch {
      // The store is closing; the lease simply expires.
    }
  }

  async #sleep(id: string, ms: number): Promise<void> {
    const waker = new AbortController();
    this.#wakers.set(id, waker);
    const stop = (): void => waker.abort();
    this.#closing.signal.addEventListener('abort', stop, { once: true });
    try {
      await this.#deps.clock.sleep(ms, waker.signal);
    } finally {
      this.#closing.signal.removeEventListener('abort', stop);
      if (this.#wakers.get(id) === waker) this.#wakers.delete(id);
    }
  }

  /** One step of the flow; returns the last journaled transition (undefined if nothing was journaled). */
  async #step(row: PaymentRow, authCode: string | undefined): Promise<Transition | undefined> {
    switch (row.step) {
      case 'send':
        if (authCode) return this.#send(row, authCode);
        return this.apply(row.id, resumeUnsent);
      case 'query':
        // A fresh payment from create: inserted already journaled as sent, the code in memory.
        if (authCode) return this.#micropay(row, authCode);
        return this.#query(row);
      case 'confirm':
        return this.#query(row);
      case 'reverse': {
        let current = row;
        if (this.#deps.clock.now() < row.reverse_after || row.status === 'needs_attention') {
          // Waiting for the reverse (or retrying a stuck one): a query may settle it first.
          const t = await this.#query(row);
          if (!t || t.after.step !== 'reverse' || this.#deps.clock.now() < t.after.reverse_after) return t;
          current = t.after;
        }
        return this.#reverse(current);
      }
      default:
        return undefined;
    }
  }

  /** A row journaled unsent (step send): journal the send, then make it. */
  async #send(row: PaymentRow, authCode: string): Promise<Transition | undefined> {
    const journal = await this.apply(row.id, beforeMicropay);
    if (!journal?.changed) return journal; // canceled before it was sent
    return this.#micropay(journal.after, authCode);
  }

  /** The one micropay call of a payment whose send is journaled (step query, sent_at set). */
  async #micropay(row: PaymentRow, authCode: string): Promise<Transition | undefined> {
    const { ports, log } = this.#deps;
    const answer = await callGateway(() => portOf(ports, row.wallet).charge(row, authCode), log, {
      operation: 'micropay',
      wallet: row.wallet,
      id: row.id,
      out_trade_no: row.out_trade_no,
    });
    return this.apply(row.id, (current, ctx) => afterMicropay(current, answer, ctx));
  }

  async #query(row: PaymentRow): Promise<Transition | undefined> {
    const answer = await callGateway(() => portOf(this.#deps.ports, row.wallet).query(row), this.#deps.log, {
      operation: 'orderquery',
      wallet: row.wallet,
      id: row.id,
      out_trade_no: row.out_trade_no,
    });
    return this.apply(row.id, (current, ctx) => afterQuery(current, answer, ctx));
  }

  async #reverse(row: PaymentRow): Promise<Transition | undefined> {
    const journal = await this.apply(row.id, beforeReverse);
    if (!journal?.changed) return journal;
    const answer = await callGateway(() => portOf(this.#deps.ports, row.wallet).cancel(journal.after), this.#deps.log, {
      operation: 'reverse',
      wallet: row.wallet,
      id: row.id,
      out_trade_no: row.out_trade_no,
    });
    return this.apply(row.id, (current, ctx) => afterReverse(current, answer, ctx));
  }

  /** Takes the lease of every unfinished payment whose lease is free (or ours) and drives it. */
  async resumeAll(): Promise<number> {
    const { store, clock, config, owner } = this.#deps;
    const rows = await store.claimPayments(owner, clock.now(), config.leaseMs, Number.MAX_SAFE_INTEGER, 10_000);
    for (const row of rows) void this.run(row.id);
    return rows.length;
  }

  /** One recovery round: due payments nobody drives (crashed instances, needs_attention). */
  async sweep(): Promise<number> {
    const { store, clock, config, owner } = this.#deps;
    const now = clock.now();
    const rows = await store.claimPayments(owner, now, config.leaseMs, now, 100);
    for (const row of rows) if (!this.isRunning(row.id)) void this.run(row.id);
    return rows.length;
  }

  get closingSignal(): AbortSignal {
    return this.#closing.signal;
  }

  async close(): Promise<void> {
    this.#closing.abort();
    for (const waker of this.#wakers.values()) waker.abort();
    await Promise.allSettled([...this.#running.values()]);
  }
}
