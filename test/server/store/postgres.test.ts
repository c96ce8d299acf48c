import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASYNC_COMMIT, migratePostgres, openPostgresStore } from '../../../server/store/postgres.ts';
import { PG_MIGRATIONS } from '../../../server/store/postgres-migrations.ts';
import type { Store } from '../../../server/store/types.ts';
import { createTestSchema, type TestSchema } from '../../support/postgres.ts';
import { storeContract } from './contract.ts';

storeContract('PostgreSQL', async () => {
  const schema = await createTestSchema('store');
  const handles: Store[] = [await openPostgresStore(schema.url())];
  const closeAll = async () => {
    for (const h of handles.splice(0)) await h.close();
  };
  return {
    store: handles[0]!,
    async second() {
      const other = await openPostgresStore(schema.url());
      handles.push(other);
      return other;
    },
    async reopen() {
      await closeAll();
      const again = await openPostgresStore(schema.url());
      handles.push(again);
      return again;
    },
    async cleanup() {
      await closeAll();
      await schema.drop();
    },
  };
});

describe('openPostgresStore', () => {
  let schema: TestSchema;
  beforeAll(async () => {
    schema = await createTestSchema('pgopen');
  });
  afterAll(async () => {
    await schema?.drop();
  });

  it('applies each migration once when several instances start at the same time', async () => {
    const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgresStore(schema.url(2))));
    const sql = postgres(schema.url(1), { onnotice: () => {} });
    try {
      expect((await sql`SELECT version FROM schema_migrations ORDER BY version`).map((r) => r.version)).toEqual(PG_MIGRATIONS.map((m) => m.version));
      expect(await migratePostgres(sql, PG_MIGRATIONS)).toEqual([]);
    } finally {
      await sql.end();
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('commits a transition without waiting for the WAL flush, and only that statement', async () => {
    const sql = postgres(schema.url(1), { onnotice: () => {}, max: 1 });
    try {
      await migratePostgres(sql, PG_MIGRATIONS);
      await sql`INSERT INTO settings (key, value) VALUES ('async', 'a')`;
      // Part of the condition of the row written: whenever something is written, it was applied.
      const inside = await sql.begin(async (tx) => {
        await tx`UPDATE settings SET value = 'b' WHERE key = 'async' AND ${tx.unsafe(ASYNC_COMMIT)}`;
        return (await tx`SHOW synchronous_commit`)[0]!.synchronous_commit;
      });
      expect(inside).toBe('off');
      await sql`UPDATE settings SET value = 'c' WHERE key = 'async' AND ${sql.unsafe(ASYNC_COMMIT)}`;
      // The same pooled connection afterwards: inserts there still wait for the flush.
      expect((await sql`SHOW synchronous_commit`)[0]!.synchronous_commit).toBe('on');
    } finally {
      await sql.end();
    }
  });

  it('opens as many connections as the URL\'s max asks for, and refuses a max that is no pool size', async () => {
    const store = await openPostgresStore(schema.url(3), { applicationName: `pool-${schema.name}` });
    const sql = postgres(schema.url(1), { onnotice: () => {} });
    try {
      // Three statements at once need three connections.
      await Promise.all([1, 2, 3].map((i) => store.initSetting(`k${i}`, 'v')));
      await Promise.all([store.setting('a'), store.setting('b'), store.setting('c')]);
      const [row] = await sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = ${`pool-${schema.name}`.slice(0, 63)}`;
      expect(row!.n).toBe(3);
    } finally {
      await sql.end();
      await store.close();
    }
    const bad = new URL(schema.url(1));
    bad.searchParams.set('max', 'lots');
    await expect(openPostgresStore(bad.toString())).rejects.toThrow(/max=lots is not a pool size/);
  });

  it('refuses to start on a search_path that names no schema, saying why', async () => {
    const url = new URL(schema.url(1));
    url.searchParams.set('search_path', 'no_such_schema_here');
    await expect(openPostgresStore(url.toString())).rejects.toThrow(/search_path/);
  });

  it('refuses to read a BIGINT that would not be an exact number', async () => {
    const store = await openPostgresStore(schema.url(1));
    const sql = postgres(schema.url(1), { onnotice: () => {} });
    try {
      await sql`INSERT INTO settings (key, value) VALUES ('x', 'y')`;
      await sql`INSERT INTO terminals (id, name, created_at) VALUES ('big', 'Big', 9007199254740993)`;
      await expect(store.terminal('big')).rejects.toThrow(/beyond/);
    } finally {
      await sql.end();
      await store.close();
    }
  });
});
