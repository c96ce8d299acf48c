import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig, PIN_FORMAT, publicOrigin, type Config } from '../config.ts';
import { DataDirError, isStorageFailure, journalCause } from '../store/data-dir.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/types.ts';
import { TerminalError, TerminalRegistry, type IssuedPairing } from '../terminals/registry.ts';

/**
 * `npm run terminal -- <command>`: set up tablets and the manager PIN in the server's journal
 * (same DATA_DIR or DATABASE_URL, PORT, HOST, TLS_* as `npm start`; safe while the server runs).
 * For `add` and `rotate` (alias `pair`) the last stdout line is JSON {"name","token","pair_url"} for scripts.
 */

export const USAGE = `Usage: npm run terminal -- <command>

  add <name> [--role owner]
                 create a terminal; prints its pairing link (valid 24 h, one use) and a token.
                 --role owner: the owner's read-only link (the report and history; no payments)
  rotate <name>  revoke every token and unused link of the terminal (its devices are signed out
                 now) and print a new pairing link and token (also: pair <name>)
  remove <name>  delete the terminal: its tokens and links stop working (its payments stay)
  list           the terminals and when each was paired
  pin <pin>      set the manager PIN refunds ask for (4 to 12 digits; MANAGER_PIN, if set, wins)

The last line of add and rotate is JSON: {"name","token","pair_url"}.`;

export interface CliIo {
  env: Record<string, string | undefined>;
  out: (line: string) => void;
  err: (line: string) => void;
}

export function pairUrl(config: Pick<Config, 'port' | 'host' | 'tls'>, code: string): string {
  // The code travels in the fragment: browsers never send it, so it stays out of access logs.
  return `${publicOrigin(config)}/#/pair/${code}`;
}

export async function runTerminalCli(args: readonly string[], io: CliIo): Promise<number> {
  const [command, ...words] = args;
  const roleAt = words.indexOf('--role');
  const role = roleAt >= 0 ? words[roleAt + 1] : undefined;
  const rest = roleAt >= 0 ? words.filter((_, i) => i !== roleAt && i !== roleAt + 1) : words;
  const argument = rest.join(' ').trim();
  const usage = (problem: string) => {
    io.err(`${problem}\n\n${USAGE}`);
    return 2;
  };
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    if (command === undefined) return usage('No command given.');
    io.out(USAGE);
    return 0;
  }
  if (!['add', 'rotate', 'pair', 'remove', 'list', 'pin'].includes(command)) return usage(`Unknown command "${command}".`);
  if (command !== 'list' && argument === '') return usage(`"${command}" needs ${command === 'pin' ? 'a PIN' : 'a terminal name'}.`);
  if (command === 'list' && argument !== '') return usage('"list" takes no argument.');
  if (roleAt >= 0 && command !== 'add') return usage('"--role" goes with "add".');
  if (roleAt >= 0 && role !== 'owner' && role !== 'till') return usage('"--role" is "owner" (read-only report link) or "till" (the default).');
  if (command === 'pin' && !PIN_FORMAT.test(argument)) return usage('The PIN must be 4 to 12 digits.');

  let config: Config;
  try {
    config = loadConfig(io.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`Configuration error: ${error.message}`);
      return 2;
    }
    throw error;
  }

  let store: Store;
  try {
    store = await openStore(config);
  } catch (error) {
    if (error instanceof DataDirError) {
      io.err(error.message);
      return 1;
    }
    io.err(`Could not open the journal: ${(error as Error).message}`);
    return 1;
  }
  const registry = new TerminalRegistry({ store, ...(config.managerPin ? { envPin: config.managerPin } : {}) });
  const printPairing = (issued: IssuedPairing, verb: string, note?: string) => {
    const url = pairUrl(config, issued.code);
    io.out(`${verb} terminal "${issued.terminal.name}" (${issued.terminal.id}).`);
    io.out(`Open this link on the tablet within 24 hours (one use): ${url}`);
    if (note) io.out(note);
    io.out(JSON.stringify({ name: issued.terminal.name, token: issued.token, pair_url: url }));
  };
  const findByName = async (name: string) => {
    const terminal = await registry.byName(name);
    if (terminal) return terminal;
    const names = (await registry.list()).map((t) => t.name);
    io.err(`No terminal named "${name}". ${names.length ? `Terminals: ${names.join(', ')}.` : 'There are none yet: npm run terminal -- add <name>.'}`);
    return undefined;
  };
  try {
    switch (command) {
      case 'add':
        printPairing(await registry.add(argument, role === 'owner' ? 'owner' : 'till'), role === 'owner' ? 'Created the owner’s read-only' : 'Created');
        return 0;
      case 'rotate':
      case 'pair': {
        const terminal = await findByName(argument);
        if (!terminal) return 1;
        printPairing(await registry.rotate(terminal.id), 'New token and pairing link for', `Every earlier token and link of "${terminal.name}" is revoked: its devices are signed out.`);
        return 0;
      }
      case 'remove': {
        const terminal = await findByName(argument);
        if (!terminal) return 1;
        await registry.remove(terminal.id);
        io.out(`Removed terminal "${terminal.name}" (${terminal.id}): its tokens and pairing links no longer work; its payments stay in the journal.`);
        return 0;
      }
      case 'list': {
        const terminals = await registry.list();
        if (terminals.length === 0) io.out('No terminals yet: npm run terminal -- add <name>.');
        for (const t of terminals) io.out(`${t.name}\t${t.id}\tcreated ${t.created_at}\t${t.paired_at ? `paired ${t.paired_at}` : 'not paired yet'}${t.role === 'owner' ? '\towner (read-only)' : ''}`);
        return 0;
      }
      case 'pin':
        await registry.setPin(argument);
        io.out('Manager PIN set.');
        if (config.managerPin) io.err('Note: MANAGER_PIN is set in the environment and wins over this PIN while it is set.');
        return 0;
    }
    return 2;
  } catch (error) {
    if (error instanceof TerminalError) {
      io.err(error.message);
      return 1;
    }
    if (isStorageFailure(error)) {
      io.err(`journal in ${config.dataDir}: ${journalCause(error)}`);
      return 1;
    }
    throw error;
  } finally {
    await store.close();
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (invokedDirectly) {
  const code = await runTerminalCli(process.argv.slice(2), {
    env: process.env,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
  process.exitCode = code;
}
