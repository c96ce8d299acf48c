import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, maskCodesIn, redact } from '../../server/log.ts';

function capture(): { lines: () => Record<string, unknown>[]; stream: Writable } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const CODE = '134567890123456789';

describe('createLogger', () => {
  it('writes one JSON object per line with time, level and msg first', () => {
    const out = capture();
    const log = createLogger(out.stream, { now: () => new Date('2026-11-28T02:00:00Z') });
    log.info('payment', { id: 'p1', from: 'processing', to: 'succeeded', amount_fen: 100 });
    log.warn('second');
    const [first, second] = out.lines();
    expect(Object.keys(first!).slice(0, 3)).toEqual(['time', 'level', 'msg']);
    expect(first).toEqual({ time: '2026-11-28T02:00:00.000Z', level: 'info', msg: 'payment', id: 'p1', from: 'processing', to: 'succeeded', amount_fen: 100 });
    expect(second).toMatchObject({ level: 'warn', msg: 'second' });
  });

  it('masks a payment code in an auth_code field, in free text and in error messages', () => {
    const out = capture();
    const log = createLogger(out.stream);
    log.info(`scan ${CODE}`, { auth_code: CODE, note: `code was ${CODE}.`, error: new Error(`bad code ${CODE}`) });
    const text = JSON.stringify(out.lines());
    expect(text).not.toContain(CODE);
    expect(text).toContain('1345**********6789');
  });

  it('redacts keys, signatures, tokens and PINs wherever they are nested', () => {
    const out = capture();
    const log = createLogger(out.stream);
    log.error('config', { key: 'k'.repeat(32), api_key: 'secret', sign: 'ABC', token: 't', pin: '1234', nested: { manager_pin: '9', authorization: 'Bearer x' }, sign_type: 'MD5' });
    const [line] = out.lines();
    expect(line).toMatchObject({ key: '[redacted]', api_key: '[redacted]', sign: '[redacted]', token: '[redacted]', pin: '[redacted]', nested: { manager_pin: '[redacted]', authorization: '[redacted]' }, sign_type: 'MD5' });
    expect(JSON.stringify(line)).not.toContain('k'.repeat(32));
  });

  it('keeps time/level/msg from being overwritten by fields of the same name', () => {
    const out = capture();
    createLogger(out.stream).info('real', { msg: 'fake', level: 'debug' });
    expect(out.lines()[0]).toMatchObject({ level: 'info', msg: 'real' });
  });

  it('drops lines below the chosen level', () => {
    const out = capture();
    const log = createLogger(out.stream, { level: 'warn' });
    log.info('quiet');
    log.error('loud');
    expect(out.lines().map((l) => l.msg)).toEqual(['loud']);
  });
});

describe('redact', () => {
  it('leaves transaction ids and amounts alone', () => {
    expect(redact({ transaction_id: '4200001234202611281234567890', amount_fen: 1234 })).toEqual({ transaction_id: '4200001234202611281234567890', amount_fen: 1234 });
    expect(maskCodesIn('order 4200001234202611281234567890')).toBe('order 4200001234202611281234567890');
  });
});
