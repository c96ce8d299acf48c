import { describe, expect, it } from 'vitest';
import { PAIRING_TTL_MS, TerminalError, TerminalRegistry } from '../../../server/terminals/registry.ts';
import { sha256 } from '../../../server/terminals/secrets.ts';
import { memoryTerminalStore } from './memory-terminal-store.ts';

function setup(envPin?: string) {
  let now = Date.parse('2026-11-28T10:00:00Z');
  const store = memoryTerminalStore();
  const registry = new TerminalRegistry({ store, now: () => now, ...(envPin ? { envPin } : {}) });
  return { store, registry, advance: (ms: number) => (now += ms) };
}

describe('TerminalRegistry', () => {
  it('creates a terminal whose printed token authenticates and is stored only as a hash', async () => {
    const { store, registry } = setup();
    const issued = await registry.add('Front till');
    expect(issued.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(issued.code).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect([...store.tokens.keys()]).toEqual([sha256(issued.token)]);
    expect(JSON.stringify([...store.tokens.values(), ...(await store.listTerminals())])).not.toContain(issued.token);
    expect((await registry.authenticate(issued.token))?.name).toBe('Front till');
    expect((await registry.authenticateWithShift(issued.token))?.terminal).toEqual(await registry.authenticate(issued.token));
    expect(await registry.authenticateWithShift(issued.token.slice(0, -1) + 'x')).toBeUndefined();
    expect(await registry.authenticate(issued.token.slice(0, -1) + 'x')).toBeUndefined();
  });

  it('pairs once with a code: the device gets a random token of its own, and the printed one keeps working', async () => {
    const { registry } = setup();
    const issued = await registry.add('Till 2');
    const paired = await registry.pair(issued.code);
    expect(paired?.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(paired?.token).not.toBe(issued.token);
    expect(paired?.terminal).toMatchObject({ name: 'Till 2', paired_at: '2026-11-28T10:00:00.000Z' });
    expect((await registry.authenticate(paired!.token))?.name).toBe('Till 2');
    expect((await registry.authenticate(issued.token))?.name).toBe('Till 2');
    expect(await registry.pair(issued.code)).toBeUndefined();
  });

  it('refuses an expired code', async () => {
    const { registry, advance } = setup();
    const issued = await registry.add('Till 3');
    advance(PAIRING_TTL_MS + 1);
    expect(await registry.pair(issued.code)).toBeUndefined();
  });

  it('rotates: every token and unused link of the terminal stops working, the new ones work', async () => {
    const { registry } = setup();
    const first = await registry.add('Till 4');
    const device = await registry.pair(first.code);
    const spare = await registry.rotate(first.terminal.id);
    const second = await registry.rotate(first.terminal.id);
    expect(second.token).not.toBe(first.token);
    for (const old of [first.token, device!.token, spare.token]) expect(await registry.authenticate(old)).toBeUndefined();
    expect(await registry.pair(spare.code)).toBeUndefined();
    expect((await registry.authenticate(second.token))?.id).toBe(first.terminal.id);
    expect(await registry.pair(second.code)).toBeDefined();
  });

  it('unpairs: the terminal stays, its tokens are revoked, and a new link pairs it again', async () => {
    const { registry } = setup();
    const issued = await registry.add('Till 5');
    const device = await registry.pair(issued.code);
    expect(await registry.unpair(issued.terminal.id)).toBe(2);
    expect(await registry.authenticate(device!.token)).toBeUndefined();
    expect(await registry.authenticate(issued.token)).toBeUndefined();
    expect(await registry.authenticateWithShift(device!.token)).toBeUndefined();
    expect((await registry.list())[0]).not.toHaveProperty('paired_at');
    const again = await registry.rotate(issued.terminal.id);
    expect((await registry.pair(again.code))?.terminal.id).toBe(issued.terminal.id);
  });

  it('removes a terminal: its name is free again and nothing of it authenticates', async () => {
    const { registry } = setup();
    const issued = await registry.add('Till 6');
    await registry.remove(issued.terminal.id);
    expect(await registry.authenticate(issued.token)).toBeUndefined();
    expect(await registry.pair(issued.code)).toBeUndefined();
    await expect(registry.remove(issued.terminal.id)).rejects.toMatchObject({ code: 'UNKNOWN_TERMINAL' });
    expect((await registry.add('Till 6')).terminal.id).not.toBe(issued.terminal.id);
  });

  it('refuses a duplicate or malformed name with a clear error', async () => {
    const { registry } = setup();
    await registry.add('Till');
    await expect(registry.add('till')).rejects.toMatchObject({ code: 'NAME_TAKEN' });
    await expect(registry.add('  ')).rejects.toBeInstanceOf(TerminalError);
    await expect(registry.add('x'.repeat(41))).rejects.toMatchObject({ code: 'INVALID_NAME' });
  });

  it('offers a first-terminal link on every start until a device pairs, then none', async () => {
    const { registry } = setup();
    const first = await registry.firstTerminalPairing();
    expect(first?.terminal.name).toBe('Terminal 1');
    const again = await registry.firstTerminalPairing();
    expect(again?.terminal.id).toBe(first?.terminal.id);
    expect(await registry.pair(first!.code)).toBeUndefined();
    expect(await registry.pair(again!.code)).toBeDefined();
    expect(await registry.firstTerminalPairing()).toBeUndefined();
    expect(await registry.list()).toHaveLength(1);
  });

  it('never rotates the token of a terminal made with the CLI to print a start link', async () => {
    const { registry } = setup();
    const cli = await registry.add('Counter');
    expect(await registry.firstTerminalPairing()).toBeUndefined();
    expect(await registry.authenticate(cli.token)).toBeDefined();
  });

  it('checks a PIN set by command against its scrypt hash', async () => {
    const { store, registry } = setup();
    await expect(registry.checkPin('1234')).rejects.toMatchObject({ code: 'NO_PIN' });
    expect(await registry.pinConfigured()).toBe(false);
    await registry.setPin('1234');
    expect(await store.setting('manager_pin')).toMatch(/^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(await registry.checkPin('1234')).toBe(true);
    expect(await registry.checkPin('4321')).toBe(false);
  });

  it('lets MANAGER_PIN from the environment win over a PIN set by command', async () => {
    const { registry } = setup('9999');
    await registry.setPin('1234');
    expect(await registry.checkPin('9999')).toBe(true);
    expect(await registry.checkPin('1234')).toBe(false);
  });
});
