import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Where a command writes: stdout lines (the last one JSON) and stderr lines. */
export interface CliIo {
  env: Record<string, string | undefined>;
  out: (line: string) => void;
  err: (line: string) => void;
}

/**
 * Runs a command module's `run` when that module is the one `npm run …` started (not when a test
 * imports it), on the process's arguments and streams, and leaves its exit code to the process.
 */
export async function runWhenInvoked(moduleUrl: string, run: (args: string[], io: CliIo) => Promise<number>): Promise<void> {
  const entry = process.argv[1];
  if (entry === undefined || moduleUrl !== pathToFileURL(realpathSync(entry)).href) return;
  process.exitCode = await run(process.argv.slice(2), {
    env: process.env,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
}
