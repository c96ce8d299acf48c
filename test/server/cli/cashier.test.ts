import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCashierCli } from '../../../server/cli/cashier.ts';
import { runTerminalCli } from '../../../server/cli/terminal.ts';
import { openSqliteStore } from '../../../server/store/sqlite.ts';
import { Cashiers } from '../../../server/shifts/cashiers.ts';
import { TerminalRegistry } from '../../../server/terminals/registry.ts';

type Run = typeof runCashierCli;
async function cli(run: Run, args: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, { env, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err, last: out.at(-1) ?? '' };
}
const env = () => ({ DATA_DIR: mkdtempSync(join(tmpdir(), 'cli-')), PORT: '9443', MANAGER_PIN: '2468' });

describe('npm run cashier', () => {
  it('adds a cashier and ends with the JSON line {"id","name"}; the PIN is stored hashed and signs them in', async () => {
    const e = env();
    const result = await cli(runCashierCli, ['add', 'Li', 'Na', '1357'], e);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.last) as { id: string; name: string };
    expect(Object.keys(json)).toEqual(['id', 'name']);
    expect(json).toEqual({ id: expect.stringMatching(/^c-[0-9a-f]{12}$/), name: 'Li Na' });
    const store = openSqliteStore(e.DATA_DIR);
    const [row] = await store.cashiers();
    expect(row!.pin_hash).toMatch(/^scrypt\$/);
    expect(row!.pin_hash).not.toContain('1357');
    expect((await new Cashiers({ store, isManagerPin: async () => false }).identify('1357'))?.id).toBe(json.id);
    await store.close();
  });

  it('lists and removes cashiers by name, and says when none are left', async () => {
    const e = env();
    await cli(runCashierCli, ['add', '王芳', '1357'], e);
    await cli(runCashierCli, ['add', 'Zhou', '8642'], e);
    expect((await cli(runCashierCli, ['list'], e)).out.map((l) => l.split('\t')[0])).toEqual(['王芳', 'Zhou']);
    expect(await cli(runCashierCli, ['remove', 'zhou'], e)).toMatchObject({ code: 0 });
    const last = await cli(runCashierCli, ['remove', '王芳'], e);
    expect(last.out.join('\n')).toContain('No cashiers are left');
    expect(await cli(runCashierCli, ['remove', 'Nobody'], e)).toMatchObject({ code: 1 });
    expect((await cli(runCashierCli, ['list'], e)).out.join('\n')).toContain('No cashiers');
  });

  it.each([
    [['add', 'Li'], 2, 'needs a name and a PIN'],
    [['add', 'Li', '12'], 1, '4 to 6 digits'],
    [['add', 'Li', '1234567'], 1, '4 to 6 digits'],
    [['add', 'Li', '2468'], 1, 'manager PIN'],
    [['add', '-rm', '1357'], 1, 'not a cashier name'],
    [['fire', 'Li'], 2, 'Unknown command'],
    [[], 2, 'No command'],
  ])('refuses %j with exit code %i', async (args, code, message) => {
    const result = await cli(runCashierCli, args, env());
    expect(result.code).toBe(code);
    expect(result.err.join('\n')).toContain(message);
  });

  it('refuses a PIN another cashier has, and a name that is taken', async () => {
    const e = env();
    await cli(runCashierCli, ['add', 'Li', '1357'], e);
    expect((await cli(runCashierCli, ['add', 'Wang', '1357'], e)).err.join()).toContain('Another cashier has this PIN');
    expect((await cli(runCashierCli, ['add', 'LI', '9753'], e)).err.join()).toContain('exists already');
  });
});

describe('npm run terminal -- add <name> --role owner', () => {
  it('creates the owner’s read-only terminal, listed as such', async () => {
    const e = env();
    const result = await cli(runTerminalCli, ['add', 'Boss', 'phone', '--role', 'owner'], e);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.last) as { name: string; token: string };
    expect(json.name).toBe('Boss phone');
    const store = openSqliteStore(e.DATA_DIR);
    expect((await new TerminalRegistry({ store }).authenticate(json.token))?.role).toBe('owner');
    await store.close();
    expect((await cli(runTerminalCli, ['list'], e)).out.join('\n')).toMatch(/^Boss phone\t.*\towner \(read-only\)$/m);
    expect(await cli(runTerminalCli, ['add', 'X', '--role', 'king'], e)).toMatchObject({ code: 2 });
    expect(await cli(runTerminalCli, ['pair', 'Boss phone', '--role', 'owner'], e)).toMatchObject({ code: 2 });
  });
});
