import { describe, expect, it } from 'vitest';
import { isTrainingSale, trainingWallets } from '../../shared/api.ts';

describe('training per wallet', () => {
  it('trains the whole till when every wallet that takes payments is simulated', () => {
    expect(trainingWallets({ mode: 'simulator', wallets: { wechat: 'simulator', alipay: 'simulator' } })).toEqual({ wallets: ['wechat', 'alipay'], all: true });
    expect(trainingWallets({ mode: 'simulator', wallets: { wechat: 'simulator', alipay: 'off' } })).toEqual({ wallets: ['wechat'], all: true });
  });

  it('names only the simulated wallet when the other is live, and marks only its sales', () => {
    const setup = { mode: 'live' as const, wallets: { wechat: 'live' as const, alipay: 'simulator' as const } };
    expect(trainingWallets(setup)).toEqual({ wallets: ['alipay'], all: false });
    expect(isTrainingSale(setup, 'alipay')).toBe(true);
    expect(isTrainingSale(setup, 'wechat')).toBe(false);
  });

  it('reads an older server that reported WeChat Pay alone in mode', () => {
    expect(trainingWallets({ mode: 'live' })).toEqual({ wallets: [], all: false });
    expect(isTrainingSale({ mode: 'simulator' })).toBe(true);
    expect(isTrainingSale({ mode: 'simulator' }, 'alipay')).toBe(false);
  });
});
