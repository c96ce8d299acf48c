import type { PgContext } from './context.ts';

/** The settings table, and the probe that tells the journal can still write. */
export function pgSettings(ctx: PgContext) {
  const { sql } = ctx;

  async function setting(key: string): Promise<string | undefined> {
    const [r] = await sql`SELECT value FROM settings WHERE key = ${key}`;
    return r?.value as string | undefined;
  }

  return {
    setting,
    async setSetting(key: string, value: string): Promise<void> {
      await sql`INSERT INTO settings (key, value) VALUES (${key}, ${value}) ON CONFLICT (key) DO UPDATE SET value = excluded.value`;
    },

    async initSetting(key: string, value: string): Promise<string> {
      // Two statements: the read takes a new snapshot, so it sees the row a concurrent first start committed.
      await sql`INSERT INTO settings (key, value) VALUES (${key}, ${value}) ON CONFLICT (key) DO NOTHING`;
      return (await setting(key))!;
    },

    async checkWritable(): Promise<void> {
      // Committed like every write here, it waits for the WAL flush: it fails when PostgreSQL cannot take one.
      await sql`INSERT INTO settings (key, value) VALUES ('journal_probe', ${String(Date.now())}) ON CONFLICT (key) DO UPDATE SET value = excluded.value`;
    },
  };
}
