import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isFinal } from '../../../shared/api.ts';
import { GatewayError, type Gateway, type OrderState, type Outcome, type PaidOrder, type ReverseResult } from '../../../server/wechat/gateway.ts';
import { bizError, ok, rejected } from './fake-wechat.ts';
import { CONFIG, Harness } from './harness.ts';

/**
 * Whatever WeChat answers, in whatever order: micropay is sent once, a verified "paid" answer is
 * never lost (the payment ends succeeded, or flagged late_payment when it came after the cashier
 * was told "not paid"), nothing else ends succeeded, no reverse goes out before the minimum age,
 * and every payment reaches a final status and a settled flow.
 */
type Scripted<T> = Outcome<T> | GatewayError;

const unknownOutcome = fc.constantFrom(
  new GatewayError('timeout', 't'),
  new GatewayError('network', 'n'),
  new GatewayError('bad_signature', 's'),
  new GatewayError('bad_response', 'r'),
);
const AMOUNT = 1234;
const paidOrder: PaidOrder = { transaction_id: '4200000000000000000000000001', out_trade_no: 'x', total_fee: AMOUNT };

const micropayAnswer: fc.Arbitrary<Scripted<PaidOrder>> = fc.oneof(
  fc.constant(ok(paidOrder)),
  fc.constantFrom('USERPAYING', 'SYSTEMERROR', 'BANKERROR', 'NOTENOUGH', 'AUTHCODEEXPIRE', 'ORDERPAID', 'SOMETHING_NEW').map((c) => bizError(c)),
  fc.constant(rejected()),
  unknownOutcome,
);
const queryAnswer: fc.Arbitrary<Scripted<OrderState>> = fc.oneof(
  fc.constantFrom<OrderState['trade_state']>('NOTPAY', 'USERPAYING', 'ACCEPT', 'PAYERROR', 'CLOSED', 'REVOKED').map((s) => ok<OrderState>({ trade_state: s })),
  fc.constantFrom<OrderState['trade_state']>('SUCCESS', 'REFUND').map((s) => ok<OrderState>({ trade_state: s, paid: paidOrder })),
  fc.constantFrom('ORDERNOTEXIST', 'SYSTEMERROR').map((c) => bizError(c)),
  fc.constant(rejected()),
  unknownOutcome,
);
const reverseAnswer: fc.Arbitrary<Scripted<ReverseResult>> = fc.oneof(
  fc.boolean().map((recall) => ok<ReverseResult>({ recall })),
  fc.constantFrom('SYSTEMERROR', 'USERPAYING', 'REVERSE_EXPIRE', 'ORDERNOTEXIST', 'TRADE_ERROR').map((c) => bizError(c)),
  fc.constant(rejected()),
  unknownOutcome,
);

const isPaid = (answer: Scripted<unknown>): boolean =>
  !(answer instanceof GatewayError) &&
  answer.kind === 'ok' &&
  ((answer.value as { total_fee?: number }).total_fee !== undefined || (answer.value as OrderState).paid !== undefined);

describe('payment flow properties', () => {
  it('never charges twice, never loses a paid answer and always ends', async () => {
    await fc.assert(
      fc.asyncProperty(
        micropayAnswer,
        fc.array(queryAnswer, { maxLength: 12 }),
        fc.array(reverseAnswer, { maxLength: 8 }),
        fc.boolean(),
        async (micropay, queries, reverses, cancel) => {
          const h = new Harness({ ...CONFIG, respondWithinMs: 0 });
          try {
            const seen: Array<{ op: string; at: number; paid: boolean }> = [];
            const record = <T>(op: string, script: Scripted<T>[], fallback: () => Promise<Outcome<T>>) => async (): Promise<Outcome<T>> => {
              const next = script.shift();
              seen.push({ op, at: h.clock.now(), paid: next !== undefined && isPaid(next) });
              if (next instanceof GatewayError) throw next;
              return next ?? fallback();
            };
            const q = [...queries];
            const r = [...reverses];
            const m: Scripted<PaidOrder>[] = [micropay];
            const gateway: Gateway = {
              micropay: (req) => record('micropay', m, () => h.wechat.micropay(req))(),
              orderQuery: (req) => record('orderQuery', q, () => h.wechat.orderQuery(req))(),
              reverse: (req) => record('reverse', r, () => h.wechat.reverse(req))(),
              refund: (req) => h.wechat.refund(req),
              refundQuery: (req) => h.wechat.refundQuery(req),
            };
            h.service = h.newService({ gateway });
            h.service.resume();
            const p = await h.create({ amount_fen: AMOUNT });
            if (cancel) await h.service.cancel(p.id).catch(() => undefined);
            // Final for the cashier first; the flow may go on closing the order at WeChat and
            // watching for a late charge until its step is settled too.
            const settled = async () => ['done', 'manual'].includes((await h.store.payment(p.id))!.step);
            for (let i = 0; i < 2_000 && !(await settled()); i++) await h.clock.advanceToNext();
            const current = await h.payment(p.id);
            const created = Date.parse(p.created_at);
            expect(await settled(), `still working: ${current.status} (${current.error?.code})`).toBe(true);
            // needs_attention only when a person must act (a late charge WeChat then denies, or too old to reverse).
            const forAPerson = current.status === 'needs_attention' && (current.late_payment === true || current.error?.code === 'REVERSE_EXPIRE');
            expect(isFinal(current.status) || forAPerson, `ended ${current.status} (${current.error?.code})`).toBe(true);
            expect(seen.filter((s) => s.op === 'micropay')).toHaveLength(1);
            const paidSeen = seen.some((s) => s.paid);
            // Only a paid answer makes a success; a paid answer is never lost: it is the success,
            // or, when it came after the cashier was told "not paid", a flagged late charge given back.
            if (current.status === 'succeeded') expect(paidSeen).toBe(true);
            if (paidSeen) expect(current.status === 'succeeded' || current.late_payment === true, `paid answer lost: ${JSON.stringify(current)}`).toBe(true);
            for (const call of seen.filter((s) => s.op === 'reverse')) expect(call.at - created).toBeGreaterThanOrEqual(CONFIG.reverseMinAgeMs);
          } finally {
            await h.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);
});
