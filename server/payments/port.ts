import { ALIPAY_ERROR_CATALOGUE, ALIPAY_OPERATION, describeAlipayError, describeError, ERROR_CATALOGUE, type ErrorEntry, type Operation } from '../../shared/error-catalogue.ts';
import type { Wallet } from '../../shared/payment-code.ts';
import { GatewayConfigError, type OrderState, type Outcome, type PaidOrder, type RefundAccepted, type RefundState, type ReverseResult } from '../wechat/gateway.ts';
import type { PaymentRow, RefundRow } from '../store/types.ts';

/**
 * The one gateway port the payment flow (flow.ts, refunds.ts) drives, whatever the wallet. Each
 * call takes the journal row and answers in the flow's vocabulary, which is WeChat Pay v2's (the
 * first wallet): a paid order, an order state (SUCCESS, USERPAYING, NOTPAY, CLOSED, REVOKED,
 * PAYERROR), a reverse (cancel) acknowledged or to be called again, business error codes with
 * the flow's control codes (USERPAYING, SYSTEMERROR, ORDERNOTEXIST, REVERSE_EXPIRE,
 * REFUNDNOTEXIST). wechat-port.ts passes WeChat's answers through; alipay-port.ts translates
 * Alipay's (its README's table) and keeps Alipay's own codes (ACQ.*) wherever they only need a
 * catalogue text. So transitions.ts holds one state machine for both wallets.
 *
 * Transport uncertainty is thrown as GatewayError (outcome unknown), as by the clients.
 */
export interface WalletPort {
  readonly wallet: Wallet;
  charge(row: PaymentRow, authCode: string): Promise<Outcome<PaidOrder>>;
  query(row: PaymentRow): Promise<Outcome<OrderState>>;
  cancel(row: PaymentRow): Promise<Outcome<CancelAnswer>>;
  refund(refund: RefundRow, payment: PaymentRow): Promise<Outcome<RefundAccepted>>;
  refundQuery(refund: RefundRow, payment: PaymentRow): Promise<Outcome<RefundState>>;
}

/** A reverse (WeChat) or cancel (Alipay) acknowledged; `action` is Alipay's: close (was unpaid) or refund (was paid, the money goes back). */
export type CancelAnswer = ReverseResult & { action?: 'close' | 'refund' };

/** The gateways of the wallets this till takes; a wallet switched off has none. */
export type WalletPorts = Partial<Record<Wallet, WalletPort>>;

/** The port of `wallet`, or a config error the flow journals (payments of a wallet switched off after they were taken). */
export function portOf(ports: WalletPorts, wallet: Wallet): WalletPort {
  const port = ports[wallet];
  if (!port) throw new GatewayConfigError('WALLET_OFF', `${wallet === 'alipay' ? 'Alipay' : 'WeChat Pay'} is not configured on this server: its payments cannot be checked`);
  return port;
}

/** The error texts of a wallet's payments, looked up by the flow's operation names. */
export interface WalletCatalogue {
  /** The operation's own entry (a business error's class decides what the flow does). */
  own(code: string, operation: Operation): ErrorEntry | undefined;
  /** The entry to show, falling back as far as the catalogue goes (then a generic "unknown error"). */
  describe(code: string, operation: Operation): ErrorEntry;
}

const own = (table: Readonly<Record<string, ErrorEntry>>, code: string): ErrorEntry | undefined => (Object.hasOwn(table, code) ? table[code] : undefined);

export const WALLET_CATALOGUES: Readonly<Record<Wallet, WalletCatalogue>> = {
  wechat: {
    own: (code, operation) => own(ERROR_CATALOGUE[operation], code),
    describe: describeError,
  },
  alipay: {
    // Gateway-level codes (isp.unknow-error, isv.*) can answer any call.
    own: (code, operation) => own(ALIPAY_ERROR_CATALOGUE[ALIPAY_OPERATION[operation]], code) ?? own(ALIPAY_ERROR_CATALOGUE.gateway, code),
    describe: (code, operation) => describeAlipayError(code, ALIPAY_OPERATION[operation]),
  },
};
