import type { SqliteContext } from './context.ts';

const PROBE_KEY = 'journal_probe';

/** The settings table, and the probe that tells the journal can still write. */
export function sqliteSettings(ctx: SqliteContext) {
  const { db, sync } = ctx;
  const q = {
    setting: db.prepare('SELECT value FROM settings WHERE key = ?').pluck(),
    initSetting: db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING'),
    setSetting: db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
  };

  return {
    async setting(key: string): Promise<string | undefined> {
      return (q.setting.get(key) as string | undefined) ?? undefined;
    },

    async setSetting(key: string, value: string): Promise<void> {
      q.setSetting.run(key, value);
    },

    async initSetting(key: string, value: string): Promise<string> {
      return db
        .transaction(() => {
          q.initSetting.run(key, value);
          return q.setting.get(key) as string;
        })
        .immediate();
    },

    async checkWritable(): Promise<void> {
      q.setSetting.run(PROBE_KEY, String(Date.now()));
      await sync();
    },
  };
}
