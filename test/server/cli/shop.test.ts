import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runShopCli } from '../../../server/cli/shop.ts';
import { runTerminalCli } from '../../../server/cli/terminal.ts';
import { openSqliteStore } from '../../../server/store/sqlite.ts';
import { TerminalRegistry } from '../../../server/terminals/registry.ts';

type Run = typeof runShopCli;

async function cli(run: Run, args: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, { env, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err, last: out.at(-1) ?? '' };
}

describe('npm run shop', () => {
  const env = () => ({ DATA_DIR: mkdtempSync(join(tmpdir(), 'cli-shop-')), SHOP_NAME: 'Head office', SHOP_TIMEZONE: 'Asia/Shanghai' });

  it('adds a service provider’s shop, ends with the JSON line, and lists it after the default shop', async () => {
    const e = env();
    const added = await cli(runShopCli, ['add', 'Branch', 'B', '--sub-mch-id', '1900000109', '--sub-appid', 'wx8888888888888888', '--time-zone', 'Asia/Urumqi'], e);
    expect(added.code).toBe(0);
    const json = JSON.parse(added.last) as { id: string; name: string };
    expect(Object.keys(json)).toEqual(['id', 'name']);
    expect(json.name).toBe('Branch B');
    const store = openSqliteStore(e.DATA_DIR);
    expect(await store.shop(json.id)).toMatchObject({ name: 'Branch B', sub_mch_id: '1900000109', sub_appid: 'wx8888888888888888', time_zone: 'Asia/Urumqi' });
    await store.close();
    const listed = await cli(runShopCli, ['list'], e);
    expect(listed.out).toEqual(['Head office\tdefault\tAsia/Shanghai', `Branch B\t${json.id}\tAsia/Urumqi\tsub_mch_id 1900000109 sub_appid wx8888888888888888`]);
  });

  it.each([
    [['add', 'X', '--sub-mch-id', 'abc'], /merchant id/],
    [['add', 'X', '--sub-appid', 'wx8888888888888888'], /needs --sub-mch-id/],
    [['add', 'X', '--time-zone', 'Mars/Olympus'], /IANA/],
    [['add', '!!'], /not a shop name/],
    [['add', 'head OFFICE'], /exists already/],
  ])('refuses %j with a clear error and writes nothing', async (args, message) => {
    const e = env();
    const result = await cli(runShopCli, args, e);
    expect(result.code).toBe(1);
    expect(result.err.join('\n')).toMatch(message);
    expect((await cli(runShopCli, ['list'], e)).out).toHaveLength(1);
  });

  it('refuses an unknown option and a missing value as usage errors', async () => {
    expect((await cli(runShopCli, ['add', 'X', '--sub-mch'], env())).code).toBe(2);
    expect((await cli(runShopCli, ['add', 'X', '--colour', 'red'], env())).code).toBe(2);
  });
});

describe('npm run terminal with shops', () => {
  it('adds a terminal to a shop by id or name, the default shop without --shop, and sets each shop’s PIN', async () => {
    const e = { DATA_DIR: mkdtempSync(join(tmpdir(), 'cli-shop-')), PORT: '9443' };
    const shop = JSON.parse((await cli(runShopCli, ['add', 'Branch B'], e)).last) as { id: string };
    const inShop = JSON.parse((await cli(runTerminalCli, ['add', 'B till', '--shop', shop.id], e)).last);
    const byName = await cli(runTerminalCli, ['add', 'B till 2', '--shop', 'branch b'], e);
    expect(byName.code).toBe(0);
    const plain = JSON.parse((await cli(runTerminalCli, ['add', 'Front'], e)).last);
    expect((await cli(runTerminalCli, ['add', 'X', '--shop', 'nowhere'], e)).code).toBe(1);
    expect((await cli(runTerminalCli, ['pin', '4321', '--shop', shop.id], e)).code).toBe(0);
    expect((await cli(runTerminalCli, ['list', '--shop', shop.id], e)).out.map((l) => l.split('\t')[0])).toEqual(['B till', 'B till 2']);

    const store = openSqliteStore(e.DATA_DIR);
    const registry = new TerminalRegistry({ store });
    expect((await registry.authenticate(inShop.token))?.shop_id).toBe(shop.id);
    expect((await registry.authenticate(plain.token))?.shop_id).toBeUndefined();
    expect(await registry.checkPin('4321', shop.id)).toBe(true);
    expect(await registry.pinConfigured()).toBe(false);
    await store.close();
  });

  it('adds the chain’s operator token, which belongs to no shop', async () => {
    const e = { DATA_DIR: mkdtempSync(join(tmpdir(), 'cli-shop-')) };
    const result = await cli(runTerminalCli, ['add', 'Chain HQ', '--role', 'operator'], e);
    expect(result.code).toBe(0);
    expect(result.out[0]).toMatch(/operator/);
    expect((await cli(runTerminalCli, ['add', 'X', '--role', 'operator', '--shop', 'default'], e)).code).toBe(2);
    const store = openSqliteStore(e.DATA_DIR);
    expect((await new TerminalRegistry({ store }).authenticate(JSON.parse(result.last).token))?.role).toBe('operator');
    await store.close();
  });
});
