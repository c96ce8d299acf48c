import type { Config } from '../config.ts';
import { openPostgresStore, type PostgresStoreOptions } from './postgres.ts';
import { openSqliteStore, type SqliteStoreOptions } from './sqlite.ts';
import type { Store } from './types.ts';

export interface OpenStoreOptions {
  sqlite?: SqliteStoreOptions;
  postgres?: PostgresStoreOptions;
}

/** The store the configuration names: PostgreSQL with DATABASE_URL, else the SQLite journal in DATA_DIR. */
export async function openStore(config: Pick<Config, 'databaseUrl' | 'dataDir' | 'instanceId'>, options: OpenStoreOptions = {}): Promise<Store> {
  if (config.databaseUrl) return openPostgresStore(config.databaseUrl, { applicationName: `micropay-pos:${config.instanceId}`, ...options.postgres });
  return openSqliteStore(config.dataDir, options.sqlite);
}
