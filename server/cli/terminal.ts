import { runWhenInvoked, type CliIo } from './main.ts';
import { PIN_FORMAT, publicOrigin, type Config } from '../config.ts';
import { isStorageFailure, journalCause } from '../store/data-dir.ts';
import { openJournal } from './journal.ts';
import { DEFAULT_SHOP_ID } from '../store/types.ts';
import { TerminalError, TerminalRegistry, type IssuedPairing } from '../terminals/registry.ts';
import { ShopDirectory } from '../shops/shops.ts';
import { takeOptions } from './options.ts';

/**
 * `npm run terminal -- <command>`: set up tablets and the manager PIN in the server's journal
 * (same DATA_DIR or DATABASE_URL, PORT, HOST, TLS_* as `npm start`; safe while the server runs).
 * For `add` and `rotate` (alias `pair`) the last stdout line is JSON {"name","token","pair_url"} for scripts.
 */

export const USAGE = `Usage: npm run terminal -- <command>

  add <name> [--shop <id>] [--role owner|operator]
                 create a terminal; prints its pairing link (valid 24 h, one use) and a token.
                 --shop: the shop it belongs to (npm run shop -- list; default: the default shop)
                 --role owner: the shop owner's read-only link (the report and history; no payments)
                 --role operator: the chain's token, for GET /api/operator/summary only (no shop)
  rotate <name>  revoke every token and unused link of the terminal (its devices are signed out
                 now) and print a new pairing link and token (also: pair <name>)
  remove <name>  delete the terminal: its tokens and links stop working (its payments stay)
  list [--shop <id>]
                 the terminals (of one shop) and when each was paired
  pin <pin> [--shop <id>]
                 set the manager PIN of the shop (default: the default shop, where MANAGER_PIN, if
                 set, wins); refunds, exports and cashiers ask for it (4 to 12 digits)

The last line of add and rotate is JSON: {"name","token","pair_url"}.`;

export function pairUrl(config: Pick<Config, 'port' | 'host' | 'tls'>, code: string): string {
  // The code travels in the fragment: browsers never send it, so it stays out of access logs.
  return `${publicOrigin(config)}/#/pair/${code}`;
}

export async function runTerminalCli(args: readonly string[], io: CliIo): Promise<number> {
  const [command, ...words] = args;
  const { options, rest, problem } = takeOptions(words, ['role', 'shop']);
  const { role, shop: shopAsked } = options;
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
  if (problem) return usage(problem);
  if (command !== 'list' && argument === '') return usage(`"${command}" needs ${command === 'pin' ? 'a PIN' : 'a terminal name'}.`);
  if (command === 'list' && argument !== '') return usage('"list" takes no argument.');
  if (role !== undefined && command !== 'add') return usage('"--role" goes with "add".');
  if (shopAsked !== undefined && !['add', 'list', 'pin'].includes(command)) return usage('"--shop" goes with "add", "list" and "pin".');
  if (role !== undefined && role !== 'owner' && role !== 'till' && role !== 'operator') {
    return usage('"--role" is "owner" (read-only report link), "operator" (the chain summary) or "till" (the default).');
  }
  if (role === 'operator' && shopAsked !== undefined) return usage('An operator token belongs to the chain, not to a shop: leave out "--shop".');
  if (command === 'pin' && !PIN_FORMAT.test(argument)) return usage('The PIN must be 4 to 12 digits.');

  const opened = await openJournal(io);
  if (typeof opened === 'number') return opened;
  const { config, store } = opened;
  const registry = new TerminalRegistry({ store, ...(config.managerPin ? { envPin: config.managerPin } : {}) });
  const shops = new ShopDirectory({ store, defaults: { name: config.flow.body, timeZone: config.flow.timeZone } });
  /** The shop --shop names (by id or name), or the default shop. */
  const shopId = async (): Promise<string | undefined> => {
    if (shopAsked === undefined) return DEFAULT_SHOP_ID;
    const found = await shops.find(shopAsked);
    if (!found) io.err(`No shop "${shopAsked}". Shops: ${(await shops.list()).map((s) => `${s.name} (${s.id})`).join(', ')}.`);
    return found?.id;
  };
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
      case 'add': {
        const shop = await shopId();
        if (shop === undefined) return 1;
        const kind = role === 'owner' || role === 'operator' ? role : 'till';
        printPairing(await registry.add(argument, kind, shop), kind === 'owner' ? 'Created the owner’s read-only' : kind === 'operator' ? 'Created the chain operator’s' : 'Created');
        return 0;
      }
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
        const shop = shopAsked === undefined ? undefined : await shopId();
        if (shopAsked !== undefined && shop === undefined) return 1;
        const terminals = await registry.list(shop);
        if (terminals.length === 0) io.out('No terminals yet: npm run terminal -- add <name>.');
        const roles = { owner: '\towner (read-only)', operator: '\tchain operator', till: '' };
        for (const t of terminals) {
          io.out(`${t.name}\t${t.id}\tcreated ${t.created_at}\t${t.paired_at ? `paired ${t.paired_at}` : 'not paired yet'}${roles[t.role]}${t.shop_id !== DEFAULT_SHOP_ID ? `\tshop ${t.shop_id}` : ''}`);
        }
        return 0;
      }
      case 'pin': {
        const shop = await shopId();
        if (shop === undefined) return 1;
        await registry.setPin(argument, shop);
        io.out(shop === DEFAULT_SHOP_ID ? 'Manager PIN set.' : `Manager PIN of shop ${shop} set.`);
        if (config.managerPin && shop === DEFAULT_SHOP_ID) io.err('Note: MANAGER_PIN is set in the environment and wins over this PIN while it is set.');
        return 0;
      }
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

await runWhenInvoked(import.meta.url, runTerminalCli);
