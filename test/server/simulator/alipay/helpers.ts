import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { createAlipayClient, type AlipayClient, type AlipayConfig } from '../../../../server/alipay/client.ts';
import { ALIPAY_SIMULATOR_DEFAULTS, createAlipaySimulator, type AlipaySimulator, type AlipaySimulatorOptions } from '../../../../server/simulator/alipay/app.ts';
import { simulatorKey } from '../../../../server/simulator/alipay/keys.ts';

/** The Alipay simulator on a loopback port, for clients that speak real HTTP to it. */
export async function startAlipaySimulator(options: AlipaySimulatorOptions = {}) {
  const sim: AlipaySimulator = createAlipaySimulator({ appId: ALIPAY_SIMULATOR_DEFAULTS.appId, ...options });
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: sim.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    sim,
    base,
    gateway: `${base}/alipay/gateway.do`,
    /** The product's client, configured with the shipped test keys unless overridden. */
    client(overrides: Partial<AlipayConfig> = {}): AlipayClient {
      return createAlipayClient({
        appId: ALIPAY_SIMULATOR_DEFAULTS.appId,
        privateKey: simulatorKey('appPrivateKey'),
        alipayPublicKey: simulatorKey('alipayPublicKey'),
        gateway: `${base}/alipay/gateway.do`,
        timeoutMs: 2_000,
        ...overrides,
      });
    },
    async stop(): Promise<void> {
      sim.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let sequence = 0;
/** A fresh out_trade_no. */
export function outTradeNo(prefix = 'A'): string {
  sequence += 1;
  return `${prefix}${Date.now()}${String(sequence).padStart(4, '0')}`;
}

/** Today in Beijing as yyyy-MM-dd (Alipay's bill_date). */
export function beijingDate(date = new Date()): string {
  return new Date(date.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}
