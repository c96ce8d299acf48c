import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { PaymentService } from '../payments/service.ts';
import type { ShiftStatus, Store, TerminalRow } from '../store/types.ts';
import type { Shop, ShopDirectory } from '../shops/shops.ts';
import type { SummaryStore } from '../shops/summary.ts';
import type { AttemptLimiter } from '../terminals/rate-limit.ts';
import type { TerminalRegistry } from '../terminals/registry.ts';
import type { Mode, WalletModes } from '../config.ts';
import type { Wallet } from '../../shared/payment-code.ts';
import type { PinCheckLimits } from './manager-pin.ts';
import type { Exports } from '../exports/index.ts';
import type { Reports } from '../reports/report.ts';
import type { Cashiers } from '../shifts/cashiers.ts';
import type { Shifts } from '../shifts/shifts.ts';
import type { Reconciler } from '../reconciliation/reconciler.ts';

/** Cashiers, shifts, exports and the owner's report (absent: the till works without them, as in route tests). */
export interface ShopDay {
  cashiers: Cashiers;
  shifts: Shifts;
  reports: Reports;
  exports: Exports;
}

/** One shop's cashiers, shifts, report and exports (built once per shop). */
export type ShopDayOf = (shop: Shop) => ShopDay;

/** What the routes need, injected once (tests pass a fake PaymentService and an in-memory store). */
export interface ApiDeps {
  service: PaymentService;
  terminals: TerminalRegistry;
  /** The journal, for the health check's probe write. */
  journal: Pick<Store, 'checkWritable'>;
  mode: Mode;
  maxAmountFen: number;
  /** The default shop's time zone and name (the server's configuration). */
  timeZone: string;
  shopName: string;
  /** The journal's shops (absent: the default shop only, as in route tests). */
  shops?: ShopDirectory;
  /** What the chain summary reads (with `shops`: the operator routes are served). */
  chainJournal?: SummaryStore;
  log: ApiLog;
  limits: { pairing: AttemptLimiter; pin: AttemptLimiter };
  /** How many PIN checks may run and wait at once (manager-pin.ts defaults). */
  pinChecks?: PinCheckLimits;
  shopDay?: ShopDayOf;
  /** Reconciliation with WeChat's bill (absent: its routes answer 404, as in route tests). */
  reconciler?: Reconciler;
  /** Simulator mode refusing codes other than the simulator's test codes (422 TRAINING_MODE), for every wallet or per wallet. */
  trainingMode?: boolean | Partial<Record<Wallet, boolean>>;
  /** How each wallet is reached (GET /api/health); absent: WeChat Pay in `mode`, Alipay off. */
  wallets?: WalletModes;
  now?: () => Date;
}

/** The part of the server logger the API uses. */
export interface ApiLog {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/**
 * The authenticated terminal and its shop: every route reads and writes that shop's journal only.
 * `shiftStatus`: on POST /api/payments only, the terminal's shift status read with its token.
 */
export type ApiEnv = { Variables: { terminal: TerminalRow; shop: Shop; shiftStatus: ShiftStatus | undefined } };

/**
 * The peer's address for per-IP limits. Forwarded headers are ignored on purpose: anyone can
 * send them, and the POS is served directly, not behind a proxy.
 */
export function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
