import { describe, expect, it } from 'vitest';
import { BEHAVIOUR_NAMES, isTestCode, makeTestCode } from '../../../server/simulator/test-codes.ts';

describe('isTestCode', () => {
  it.each(BEHAVIOUR_NAMES)('knows a fresh %s code as a test code', (behaviour) => {
    expect(isTestCode(makeTestCode(behaviour))).toBe(true);
  });

  it.each(['134567890123456789', '101234567890123456', '13000012345678901', '1300001234567890123', '13000012345678901x', ''])(
    'does not take %s (a real customer’s code, or not 18 digits) for a test code',
    (code) => {
      expect(isTestCode(code)).toBe(false);
    },
  );
});
