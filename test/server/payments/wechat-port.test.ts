import { describe, expect, it } from 'vitest';
import { resolveFlowConfig } from '../../../server/payments/config.ts';
import { wechatPort } from '../../../server/payments/wechat-port.ts';
import type { Shop } from '../../../server/shops/shops.ts';
import type { Gateway } from '../../../server/wechat/gateway.ts';
import { storedPayment, storedRefund } from '../../support/journal-rows.ts';

/** A gateway that answers nothing useful and keeps what each call was asked. */
function recordingGateway(): { gateway: Gateway; calls: [string, Record<string, unknown>][] } {
  const calls: [string, Record<string, unknown>][] = [];
  const record =
    (name: string) =>
    async (req: object): Promise<never> => {
      calls.push([name, req as Record<string, unknown>]);
      return { kind: 'business_error', code: 'SYSTEMERROR', message: 'test' } as never;
    };
  const gateway: Gateway = {
    micropay: record('micropay'),
    orderQuery: record('orderquery'),
    reverse: record('reverse'),
    refund: record('refund'),
    refundQuery: record('refundquery'),
  };
  return { gateway, calls };
}

const SHOPS: Record<string, Shop> = {
  'shop-b': { id: 'shop-b', name: 'Branch B', timeZone: 'Asia/Shanghai', merchant: { sub_mch_id: '1900000109', sub_appid: 'wx8888888888888888' } },
  default: { id: 'default', name: 'Corner café', timeZone: 'Asia/Shanghai' },
};
const shopOf = async (id: string): Promise<Shop | undefined> => SHOPS[id];
const config = resolveFlowConfig({ body: 'Configured' });

async function everyCall(shopId: string): Promise<[string, Record<string, unknown>][]> {
  const { gateway, calls } = recordingGateway();
  const port = wechatPort(gateway, config, shopOf);
  const payment = storedPayment({ shop_id: shopId, description: 'Latte' });
  const refund = storedRefund({ payment_id: payment.id });
  await port.charge(payment, '134567890123456789');
  await port.query(payment);
  await port.cancel(payment);
  await port.refund(refund, payment);
  await port.refundQuery(refund, payment);
  return calls;
}

describe('WeChat port', () => {
  it("names the payment's shop's sub-merchant on its micropay, query, reverse, refund and refund query, and heads the body with the shop's name", async () => {
    const calls = await everyCall('shop-b');
    expect(calls.map(([name]) => name)).toEqual(['micropay', 'orderquery', 'reverse', 'refund', 'refundquery']);
    for (const [, req] of calls) expect(req.merchant).toEqual({ sub_mch_id: '1900000109', sub_appid: 'wx8888888888888888' });
    expect(calls[0]![1].body).toBe('Branch B-Latte');
  });

  it('leaves the sub-merchant to the configuration for a shop without one of its own', async () => {
    const calls = await everyCall('default');
    for (const [, req] of calls) expect(req).not.toHaveProperty('merchant');
    expect(calls[0]![1].body).toBe('Corner café-Latte');
  });
});
