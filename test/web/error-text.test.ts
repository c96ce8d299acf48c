import { describe, expect, it } from 'vitest';
import { ApiFailure } from '../../web/src/lib/api.ts';
import { errorText } from '../../web/src/lib/error-text.ts';

/** One function words every error the cashier can meet; never the server's developer message. */
describe('errorText', () => {
  it.each([
    [new ApiFailure(0, 'NETWORK', 'Failed to fetch', true), 'Cannot reach the server.', '无法连接服务器。'],
    [new ApiFailure(422, 'TRAINING_MODE', 'dev text'), /only the simulator’s test payment codes/, /训练模式/],
    [new ApiFailure(403, 'PIN_WRONG', 'The manager PIN is wrong.'), 'The manager PIN is wrong.', '店长密码错误。'],
    [new ApiFailure(400, 'INVALID_AMOUNT', '"amount_fen" must be a positive whole number of fen'), 'The amount is not valid. Key it in again.', '金额无效，请重新输入。'],
    [new ApiFailure(500, 'INTERNAL_ERROR', 'stack'), 'The server had a problem (INTERNAL_ERROR). Try again shortly.', '服务器出错（INTERNAL_ERROR），请稍后重试。'],
    [{ code: 'AMOUNT_MISMATCH', message: 'x' }, /differs from the amount asked/, /不一致/],
    [{ code: 'REVERSE_EXPIRE', message: 'x' }, /refund it instead/, /改为退款/],
    [new TypeError('Failed to fetch'), 'Something unexpected went wrong. Try again.', '出现意外错误，请重试。'],
  ])('words %o for the cashier', (error, en, zh) => {
    expect(errorText(error, 'en')).toMatch(en);
    expect(errorText(error, 'zh')).toMatch(zh);
    expect(errorText(error, 'en')).not.toMatch(/amount_fen|Failed to fetch|stack|dev text/);
  });

  it('reads a refund’s code in the refund table', () => {
    expect(errorText({ code: 'NOTENOUGH', message: '' }, 'en', 'refund')).toMatch(/merchant account balance/);
    expect(errorText({ code: 'REFUNDCLOSE', message: '' }, 'zh', 'refund')).toMatch(/退款已关闭/);
  });
});
