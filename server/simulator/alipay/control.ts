import type { Hono } from 'hono';
import { controlRoutes } from '../control-routes.ts';
import { alipayTestCodeList, isAlipayBehaviour } from '../test-codes.ts';
import type { AlipayLedger } from './ledger/index.ts';

/** The Alipay simulator's control routes, mounted at /control/alipay beside WeChat's /control. */
export function alipayControlRoutes(ledger: AlipayLedger): Hono {
  return controlRoutes({
    noun: 'Alipay trade',
    waitingFor: 'the customer',
    orders: () => ledger.trades(),
    orderForCode: (code) => ledger.tradeForCode(code),
    order: (outTradeNo) => ledger.trade(outTradeNo),
    state: (trade) => trade.trade_status,
    confirm: (outTradeNo) => ledger.confirm(outTradeNo),
    decline: (outTradeNo) => ledger.decline(outTradeNo),
    isBehaviour: isAlipayBehaviour,
    behaviours: alipayTestCodeList,
    issueCode: (behaviour) => ledger.issueCode(behaviour),
    reset: () => ledger.reset(),
  });
}
