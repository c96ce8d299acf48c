import { Hono } from 'hono';
import { journalCause } from '../store/data-dir.ts';
import type { Health } from '../../shared/api.ts';
import type { ApiDeps, ApiEnv } from './context.ts';

/** A probe writes to the journal at most this often; health requests in between share its answer. */
export const JOURNAL_PROBE_MS = 1_000;

/**
 * GET /api/health: {ok, mode, wallets: {wechat, alipay}} (each 'live', 'simulator' or 'off'),
 * or 503 {ok: false, mode, wallets, reason} when the journal cannot take a
 * durable write (disk full, read-only, I/O error): the server may answer, but it cannot take a
 * payment it could lose.
 */
export function healthRoutes(deps: ApiDeps) {
  const now = () => performance.now();
  let last: { at: number; problem: Promise<string | undefined> } | undefined;
  const probe = (): Promise<string | undefined> => {
    if (last && now() - last.at < JOURNAL_PROBE_MS) return last.problem;
    const problem = deps.journal.checkWritable().then(
      () => undefined,
      (error: unknown) => {
        const reason = `the journal cannot be written: ${journalCause(error)}`;
        deps.log.error('health: journal not writable', { reason });
        return reason;
      },
    );
    last = { at: now(), problem };
    return problem;
  };
  return new Hono<ApiEnv>().get('/', async (c) => {
    const problem = await probe();
    const wallets = deps.wallets ?? { wechat: deps.mode, alipay: 'off' };
    if (problem) return c.json({ ok: false, mode: deps.mode, wallets, reason: problem } satisfies Health, 503);
    return c.json({ ok: true, mode: deps.mode, wallets } satisfies Health);
  });
}
