import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Payment } from '../../../shared/api.ts';
import { createLogger } from '../../../server/log.ts';
import { ManualClock } from '../../support/manual-clock.ts';
import type { FlowConfig } from '../../../server/payments/config.ts';
import { createPaymentService, type PaymentServiceHandle } from '../../../server/payments/index.ts';
import { openSqliteStore } from '../../../server/store/sqlite.ts';
import type { Store } from '../../../server/store/types.ts';
import type { Gateway } from '../../../server/wechat/gateway.ts';
import type { AlipayGateway } from '../../../server/alipay/gateway.ts';
import { makeTestCode } from '../../../server/simulator/test-codes.ts';
import { FakeWechat } from './fake-wechat.ts';

export const CONFIG: FlowConfig = {
  deadlineMs: 45_000,
  pollIntervalMs: 2_000,
  reverseMinAgeMs: 15_000,
  maxAmountFen: 1_000_000,
  timeZone: 'Asia/Shanghai',
  body: 'Test-Shop',
  reverseMaxAttempts: 4,
  reverseBackoffMs: 1_000,
  reverseBackoffMaxMs: 8_000,
  attentionIntervalMs: 60_000,
  leaseMs: 30_000,
  sweepIntervalMs: 5_000,
  respondWithinMs: 3_000,
  refundConfirmMs: 4_000,
  language: 'en',
};

/**
 * The journal for manual-clock tests: every commit fsynced inside COMMIT (synchronous full), so an
 * insert settles within the microtasks the manual clock lets run. The default store's fsync runs
 * on the thread pool, at real disk speed (covered by test/server/store/wal-sync.test.ts and the
 * real-clock integration tests).
 */
export const openStore = (dir: string): Store => openSqliteStore(dir, { synchronous: 'full' });

/** A service on a temporary SQLite file, a manual clock, the fake WeChat and captured log lines. */
export class Harness {
  readonly dir = mkdtempSync(join(tmpdir(), 'payments-'));
  readonly clock = new ManualClock();
  readonly wechat = new FakeWechat();
  readonly lines: string[] = [];
  store: Store;
  service: PaymentServiceHandle;
  readonly #services: PaymentServiceHandle[] = [];
  #ids = 0;

  constructor(readonly config: FlowConfig = CONFIG, gateway?: Gateway) {
    this.store = openStore(this.dir);
    this.service = this.newService({ gateway });
  }

  newService(options: { instanceId?: string; gateway?: Gateway; alipay?: AlipayGateway; store?: Store } = {}): PaymentServiceHandle {
    const stream = new Writable({
      write: (chunk, _enc, done) => {
        this.lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const service = createPaymentService({
      store: options.store ?? this.store,
      gateway: options.gateway ?? this.wechat,
      ...(options.alipay ? { alipay: options.alipay } : {}),
      clock: this.clock,
      config: this.config,
      log: createLogger(stream, { now: () => new Date(this.clock.now()) }),
      instanceId: options.instanceId ?? 'instance-A',
    });
    this.#services.push(service);
    return service;
  }

  /** Simulates a restart: the old service stops, a new one opens the same SQLite file and resumes. */
  async restart(options: { instanceId?: string } = {}): Promise<PaymentServiceHandle> {
    await this.service.close();
    await this.store.close();
    this.store = openStore(this.dir);
    this.service = this.newService(options);
    this.service.resume();
    await this.clock.advance(0);
    return this.service;
  }

  nextId(): string {
    return `pay-${++this.#ids}`;
  }

  async create(over: Partial<{ id: string; amount_fen: number; auth_code: string; description: string; terminal: string }> = {}): Promise<Payment> {
    return this.service.create(over.terminal ?? 'till-1', {
      id: over.id ?? this.nextId(),
      amount_fen: over.amount_fen ?? 1234,
      auth_code: over.auth_code ?? makeTestCode(),
      ...(over.description ? { description: over.description } : {}),
    });
  }

  async payment(id: string): Promise<Payment> {
    const p = await this.service.get(id);
    if (!p) throw new Error(`no payment ${id}`);
    return p;
  }

  /** Advances the clock in `stepMs` steps until `id` is in one of `statuses` (or `maxMs` passed). */
  async until(id: string, statuses: Payment['status'][], maxMs = 300_000, stepMs = 250): Promise<Payment> {
    for (let waited = 0; ; waited += stepMs) {
      const p = await this.payment(id);
      if (statuses.includes(p.status)) return p;
      if (waited >= maxMs) throw new Error(`payment ${id} still ${p.status} after ${maxMs} ms (wanted ${statuses.join('/')})`);
      await this.clock.advance(stepMs);
    }
  }

  elapsed(since: number): number {
    return this.clock.now() - since;
  }

  async close(): Promise<void> {
    for (const s of this.#services) await s.close();
    await this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
