import { ConfigError, loadConfig, type Config } from '../config.ts';
import { DataDirError } from '../store/data-dir.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/types.ts';
import type { CliIo } from './main.ts';

/**
 * The configuration and the journal a command works on, or the exit code after saying why not:
 * 2 for a configuration error (the user's to fix), 1 when the journal cannot be opened.
 */
export async function openJournal(io: Pick<CliIo, 'env' | 'err'>): Promise<{ config: Config; store: Store } | number> {
  const config = loadCliConfig(io);
  if (typeof config === 'number') return config;
  try {
    return { config, store: await openStore(config) };
  } catch (error) {
    io.err(error instanceof DataDirError ? error.message : `Could not open the journal: ${(error as Error).message}`);
    return 1;
  }
}

/** The configuration a command works with, or exit code 2 after saying what is wrong with it. */
export function loadCliConfig(io: Pick<CliIo, 'env' | 'err'>): Config | number {
  try {
    return loadConfig(io.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`Configuration error: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
