import Database from 'better-sqlite3';
import postgres from 'postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migratePostgres } from '../../../server/store/postgres.ts';
import { PG_MIGRATIONS } from '../../../server/store/postgres-migrations.ts';
import { migrate } from '../../../server/store/sqlite.ts';
import { createTestSchema, type TestSchema } from '../../support/postgres.ts';

/**
 * Both stores keep the same tables and columns (a column added to one migration list and not
 * the other fails here), with the same NOT NULL rules. PostgreSQL's own bookkeeping column
 * (payments.version) is the one allowed difference.
 */

const PG_ONLY = new Set(['payments.version']);

let schema: TestSchema;
beforeAll(async () => {
  schema = await createTestSchema('parity');
});
afterAll(async () => {
  await schema?.drop();
});

it('gives SQLite and PostgreSQL the same tables, columns and NOT NULL rules', async () => {
  const lite = new Database(':memory:');
  migrate(lite);
  const tables = lite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  const sqliteColumns = tables.flatMap((t) =>
    (lite.pragma(`table_info(${t})`) as { name: string; notnull: number; pk: number }[]).map((c) => `${t}.${c.name}${c.notnull || c.pk ? ' NOT NULL' : ''}`),
  );
  lite.close();

  const sql = postgres(schema.url(1), { onnotice: () => {} });
  try {
    await migratePostgres(sql, PG_MIGRATIONS);
    const rows = await sql`SELECT table_name, column_name, is_nullable FROM information_schema.columns
                           WHERE table_schema = ${schema.name} ORDER BY table_name, ordinal_position`;
    const pgColumns = rows
      .filter((r) => !PG_ONLY.has(`${r.table_name}.${r.column_name}`))
      .map((r) => `${r.table_name}.${r.column_name}${r.is_nullable === 'NO' ? ' NOT NULL' : ''}`);
    expect([...pgColumns].sort()).toEqual([...sqliteColumns].sort());
  } finally {
    await sql.end();
  }
});
