import { hostname } from 'node:os';
import type { AlipayGateway } from '../alipay/gateway.ts';
import type { Gateway } from '../wechat/gateway.ts';
import type { Store } from '../store/types.ts';
import type { Logger } from '../log.ts';
import { systemClock, type Clock } from './clock.ts';
import { resolveFlowConfig, type FlowConfig } from './config.ts';
import { PaymentFlow } from './flow.ts';
import type { PaymentService } from './service.ts';
import { alipayPort } from './alipay-port.ts';
import type { ShopLookup, WalletPorts } from './port.ts';
import { wechatPort } from './wechat-port.ts';
import { listPayments } from './list.ts';
import { paymentView, refundView } from './view.ts';
import type { ServiceEnv } from './env.ts';
import { paymentTaking } from './create.ts';
import { paymentCancel } from './cancel.ts';
import { refundDriver } from './refund-driver.ts';
import { recovery } from './recovery.ts';

export { Refusal } from './errors.ts';
export type { PaymentService } from './service.ts';
export { FLOW_DEFAULTS, type FlowConfig } from './config.ts';
export { systemClock, type Clock } from './clock.ts';

export interface PaymentServiceDeps {
  store: Store;
  /** WeChat Pay's gateway; absent: WeChat Pay is switched off on this till. */
  gateway?: Gateway;
  /** Alipay's gateway; absent: Alipay is switched off on this till. */
  alipay?: AlipayGateway;
  clock?: Clock;
  config: FlowConfig;
  log: Logger;
  appName?: string;
  /**
   * Lease owner name of this instance. Default: the host name, so a restarted instance takes its
   * own leases back at once; give each instance of a multi-instance deployment its own.
   */
  instanceId?: string;
  /** A payment's shop (its name, and its sub-merchant in service-provider mode); absent: the server's configuration only. */
  shopOf?: ShopLookup;
}

/** The service plus what tests and operators use to look inside. */
export interface PaymentServiceHandle extends PaymentService {
  /** One recovery round now (normally run every sweepIntervalMs after resume()). */
  sweep(): Promise<void>;
  /** Resolves when the background loops of this process are idle (tests). */
  idle(): Promise<void>;
  onTransition: PaymentFlow['onTransition'];
}

/**
 * The payment service, composed of one part per concern: taking a payment (create.ts), the
 * cashier's cancel (cancel.ts), refunds and their driver (refund-driver.ts), the day list
 * (list.ts), and the background resume and recovery sweep (recovery.ts), all over one flow.
 */
export function createPaymentService(deps: PaymentServiceDeps): PaymentServiceHandle {
  const config = resolveFlowConfig(deps.config);
  const clock = deps.clock ?? systemClock;
  const { store, log } = deps;
  const owner = deps.instanceId ?? `${deps.appName ?? 'micropay-pos'}@${hostname()}`;
  const ports: WalletPorts = {};
  if (deps.gateway) ports.wechat = wechatPort(deps.gateway, config, deps.shopOf);
  if (deps.alipay) ports.alipay = alipayPort(deps.alipay, config, deps.shopOf);
  const flow = new PaymentFlow({ store, ports, clock, config, log, owner });
  const env: ServiceEnv = { store, ports, clock, config, log, owner, flow };

  const { create, view } = paymentTaking(env);
  const cancel = paymentCancel(env);
  const refunds = refundDriver(env);
  const background = recovery(env, refunds);

  return {
    create,
    get: view,
    list: (query) => listPayments(store, config.timeZone, query),
    refunds: async (paymentId, shopId) => {
      if (!(await view(paymentId, shopId))) return undefined;
      return (await store.refundsOf(paymentId)).map(refundView);
    },
    active: async (terminalId) => {
      const row = await store.activePayment(terminalId);
      return row && paymentView(row);
    },
    cancel,
    refund: refunds.refund,
    resume: background.resume,
    sweep: background.sweep,
    async idle(): Promise<void> {
      await refunds.settled();
    },
    onTransition: (listener) => flow.onTransition(listener),
    close: background.close,
  };
}
