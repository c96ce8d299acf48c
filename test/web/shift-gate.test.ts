import { describe, expect, it, vi } from 'vitest';
import type { CurrentShift } from '../../shared/shop-day.ts';
import { ApiFailure } from '../../web/src/lib/api.ts';
import { ShiftGate } from '../../web/src/lib/shift-gate.svelte.ts';

const openShift = { id: 's1', cashier: '王芳' } as CurrentShift['shift'];

describe('ShiftGate', () => {
  it.each<[string, CurrentShift, boolean]>([
    ['no cashiers: the till sells as it always did', { cashiers_required: false, shift: null }, false],
    ['cashiers and no shift here: a cashier signs in first', { cashiers_required: true, shift: null }, true],
    ['cashiers and a shift open here', { cashiers_required: true, shift: openShift }, false],
  ])('%s', async (_, answer, blocking) => {
    const gate = new ShiftGate({ call: vi.fn(async () => answer) as never }, () => true);
    expect(gate.blocking).toBe(false);
    await gate.refresh();
    expect(gate.blocking).toBe(blocking);
    expect(gate.shift).toEqual(answer.shift);
  });

  it('keeps what it last knew when the server cannot be reached, says whether it answered, and asks nothing while unpaired', async () => {
    let paired = true;
    const call = vi.fn(async (): Promise<CurrentShift> => ({ cashiers_required: true, shift: null }));
    const gate = new ShiftGate({ call: call as never }, () => paired);
    expect(await gate.refresh()).toBe(true);
    call.mockRejectedValueOnce(new ApiFailure(0, 'NETWORK', 'down', true));
    expect(await gate.refresh()).toBe(false);
    expect(gate.blocking).toBe(true);
    paired = false;
    expect(await gate.refresh()).toBe(false);
    expect(call).toHaveBeenCalledTimes(2);
  });
});
