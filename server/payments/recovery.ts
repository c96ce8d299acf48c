import type { ServiceEnv } from './env.ts';

/**
 * The background of the service: on start, every unfinished payment resumed; then a recovery
 * sweep every sweepIntervalMs for payments and refunds due and not leased elsewhere; and the
 * wake-up other instances send when they take a cancel for a payment this one drives.
 */
export function recovery(env: ServiceEnv, refunds: { sweepRefunds(): Promise<void>; settled(): Promise<unknown> }) {
  const { store, log, clock, config, flow } = env;
  let sweeper: Promise<void> | undefined;
  let unlisten: Promise<(() => Promise<void>) | undefined> | undefined;

  async function sweep(): Promise<void> {
    await flow.sweep();
    await refunds.sweepRefunds();
  }

  async function sweepForever(): Promise<void> {
    while (!flow.closed) {
      try {
        await sweep();
      } catch (error) {
        log.error('recovery sweep failed', { error });
      }
      await clock.sleep(config.sweepIntervalMs, flow.closingSignal);
    }
  }

  function resume(): void {
    if (sweeper || flow.closed) return;
    // Cancels taken by other instances for payments this one drives (store.signalPayment).
    unlisten = store.onPaymentSignal
      ? store.onPaymentSignal((id) => flow.wake(id)).catch((error: unknown) => {
          log.warn('not listening for other instances\' cancels; payments see them at their next poll', { error });
          return undefined;
        })
      : undefined;
    sweeper = (async () => {
      try {
        const resumed = await flow.resumeAll();
        if (resumed > 0) log.info('resumed unfinished payments', { count: resumed });
      } catch (error) {
        log.error('resume failed; the recovery sweep retries', { error });
      }
      await sweepForever();
    })();
  }

  async function close(): Promise<void> {
    await (await unlisten)?.().catch(() => undefined);
    await flow.close();
    await Promise.allSettled([sweeper, refunds.settled()]);
  }

  return { sweep, resume, close };
}
