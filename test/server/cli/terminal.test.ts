import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTerminalCli } from '../../../server/cli/terminal.ts';
import { openSqliteStore } from '../../../server/store/sqlite.ts';
import { TerminalRegistry } from '../../../server/terminals/registry.ts';

async function cli(args: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runTerminalCli(args, { env, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err, last: out.at(-1) ?? '' };
}

describe('npm run terminal', () => {
  const env = () => ({ DATA_DIR: mkdtempSync(join(tmpdir(), 'cli-')), PORT: '9443' });

  it('adds a terminal and ends with the JSON line whose token and link work', async () => {
    const e = env();
    const result = await cli(['add', 'Front', 'till'], e);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.last) as { name: string; token: string; pair_url: string };
    expect(Object.keys(json)).toEqual(['name', 'token', 'pair_url']);
    expect(json.name).toBe('Front till');
    expect(json.pair_url).toMatch(/^http:\/\/localhost:9443\/#\/pair\/[\w-]{22}$/);
    const store = openSqliteStore(e.DATA_DIR);
    const registry = new TerminalRegistry({ store });
    expect((await registry.authenticate(json.token))?.name).toBe('Front till');
    expect((await registry.pair(json.pair_url.split('/').pop()!))?.terminal.name).toBe('Front till');
    await store.close();
  });

  it('uses https and HOST in the link when TLS is configured', async () => {
    const e = { ...env(), HOST: '192.168.1.20', TLS_CERT: 'package.json', TLS_KEY: 'package.json' };
    const json = JSON.parse((await cli(['add', 'Till'], e)).last);
    expect(json.pair_url).toMatch(/^https:\/\/192\.168\.1\.20:9443\/#\/pair\//);
  });

  it.each(['rotate', 'pair'])('lists terminals and %s issues a new link and token by name, revoking the old ones', async (command) => {
    const e = env();
    const first = JSON.parse((await cli(['add', 'Till'], e)).last);
    const again = await cli([command, 'till'], e);
    expect(again.code).toBe(0);
    const second = JSON.parse(again.last);
    expect(Object.keys(second)).toEqual(['name', 'token', 'pair_url']);
    expect(second.name).toBe('Till');
    expect(second.token).not.toBe(first.token);
    const store = openSqliteStore(e.DATA_DIR);
    const registry = new TerminalRegistry({ store });
    expect(await registry.authenticate(first.token)).toBeUndefined();
    expect(await registry.pair(first.pair_url.split('/').pop()!)).toBeUndefined();
    expect((await registry.authenticate(second.token))?.name).toBe('Till');
    await store.close();
    const list = await cli(['list'], e);
    expect(list.out.join('\n')).toMatch(/^Till\tt-[0-9a-f]{12}\tcreated .*\tnot paired yet$/m);
  });

  it('removes a terminal by name: its token stops working and the name is free again', async () => {
    const e = env();
    const added = JSON.parse((await cli(['add', 'Back till'], e)).last);
    const removed = await cli(['remove', 'back TILL'], e);
    expect(removed).toMatchObject({ code: 0, out: [expect.stringMatching(/^Removed terminal "Back till"/)] });
    const store = openSqliteStore(e.DATA_DIR);
    expect(await new TerminalRegistry({ store }).authenticate(added.token)).toBeUndefined();
    await store.close();
    expect((await cli(['list'], e)).out).toEqual(['No terminals yet: npm run terminal -- add <name>.']);
    expect(await cli(['remove', 'Back till'], e)).toMatchObject({ code: 1, err: [expect.stringMatching(/No terminal named "Back till"/)] });
    expect((await cli(['add', 'Back till'], e)).code).toBe(0);
  });

  it('sets the manager PIN as a hash that later checks out', async () => {
    const e = env();
    expect((await cli(['pin', '482916'], e)).code).toBe(0);
    const store = openSqliteStore(e.DATA_DIR);
    expect(await store.setting('manager_pin')).not.toContain('482916');
    expect(await new TerminalRegistry({ store }).checkPin('482916')).toBe(true);
    await store.close();
  });

  it.each([
    [[], /No command given/],
    [['frob'], /Unknown command "frob"/],
    [['add'], /needs a terminal name/],
    [['rotate'], /needs a terminal name/],
    [['remove'], /needs a terminal name/],
    [['pin', '12'], /4 to 12 digits/],
    [['list', 'extra'], /takes no argument/],
  ])('answers usage error %j with exit code 2 and the usage', async (args, message) => {
    const result = await cli(args as string[], env());
    expect(result.code).toBe(2);
    expect(result.err.join('\n')).toMatch(message);
    expect(result.err.join('\n')).toContain('Usage: npm run terminal');
  });

  it('refuses an unknown or duplicate name with exit code 1', async () => {
    const e = env();
    await cli(['add', 'Till'], e);
    expect(await cli(['add', 'Till'], e)).toMatchObject({ code: 1, err: [expect.stringMatching(/exists already/)] });
    expect(await cli(['pair', 'Nope'], e)).toMatchObject({ code: 1, err: [expect.stringMatching(/No terminal named "Nope". Terminals: Till/)] });
  });

  it('names the variable of a bad configuration', async () => {
    expect(await cli(['list'], { ...env(), PAY_DEADLINE_MS: 'soon' })).toMatchObject({ code: 2, err: [expect.stringMatching(/^Configuration error: PAY_DEADLINE_MS/)] });
  });
});
