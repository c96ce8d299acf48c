import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

/**
 * A schema of its own for each test file (or bench run) in the shared PostgreSQL database, so
 * runs that happen at the same time (other worktrees, CI) never meet: a random name, created
 * here and dropped with everything in it by `drop()`.
 *
 * TEST_DATABASE_URL names the server and database (default: 127.0.0.1:5432, database test,
 * trust auth, the OS user).
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://127.0.0.1:5432/test';

export interface TestSchema {
  name: string;
  /** DATABASE_URL for this schema: search_path set to it, `max` connections per pool. */
  url(max?: number): string;
  drop(): Promise<void>;
}

async function admin<T>(run: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {}, fetch_types: false });
  try {
    return await run(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export async function createTestSchema(purpose = 'test'): Promise<TestSchema> {
  const name = `mp_${purpose}_${process.pid}_${randomBytes(5).toString('hex')}`;
  await admin((sql) => sql.unsafe(`CREATE SCHEMA "${name}"`));
  return {
    name,
    url(max = 4) {
      const url = new URL(TEST_DATABASE_URL);
      url.searchParams.set('search_path', name);
      url.searchParams.set('max', String(max));
      return url.toString();
    },
    async drop() {
      await admin((sql) => sql.unsafe(`DROP SCHEMA IF EXISTS "${name}" CASCADE`));
    },
  };
}
