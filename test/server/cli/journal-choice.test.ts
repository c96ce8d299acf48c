import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCashierCli } from '../../../server/cli/cashier.ts';
import { runTerminalCli } from '../../../server/cli/terminal.ts';
import { openPostgresStore } from '../../../server/store/postgres.ts';
import { TerminalRegistry } from '../../../server/terminals/registry.ts';
import { createTestSchema, type TestSchema } from '../../support/postgres.ts';

/** The setup commands work on the journal the server uses: PostgreSQL when DATABASE_URL is set. */

async function cli(run: typeof runTerminalCli, args: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, { env, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, err: err.join('\n'), last: out.at(-1) ?? '' };
}

let schema: TestSchema;
beforeAll(async () => {
  schema = await createTestSchema('cli');
});
afterAll(async () => {
  await schema?.drop();
});

describe('npm run terminal and npm run cashier with DATABASE_URL', () => {
  it('add a terminal and a cashier to the PostgreSQL journal, where the server finds them', async () => {
    const env = { DATABASE_URL: schema.url(2), PORT: '9443' };
    const terminal = await cli(runTerminalCli, ['add', 'Chain till'], env);
    expect(terminal.code, terminal.err).toBe(0);
    const cashier = await cli(runCashierCli, ['add', 'Wang', '4321'], env);
    expect(cashier.code, cashier.err).toBe(0);

    const store = await openPostgresStore(schema.url(1));
    try {
      expect((await new TerminalRegistry({ store }).authenticate(JSON.parse(terminal.last).token))?.name).toBe('Chain till');
      expect((await store.cashiers()).map((c) => c.name)).toEqual([JSON.parse(cashier.last).name]);
    } finally {
      await store.close();
    }
  });

  it('say so in one line when the database cannot be reached', async () => {
    const result = await cli(runTerminalCli, ['list'], { DATABASE_URL: 'postgres://127.0.0.1:1/nothing' });
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^Could not open the journal: .*ECONNREFUSED/);
  });
});
