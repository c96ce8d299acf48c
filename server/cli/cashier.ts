import { Cashiers, CashierError } from '../shifts/cashiers.ts';
import { openJournal } from './journal.ts';
import { TerminalRegistry } from '../terminals/registry.ts';
import { ShopDirectory } from '../shops/shops.ts';
import { takeOptions } from './options.ts';
import { runWhenInvoked, type CliIo } from './main.ts';

/**
 * `npm run cashier -- <command>`: cashiers in the server's journal (same DATA_DIR or DATABASE_URL
 * as `npm start`; safe while the server runs). With at least one cashier, every terminal asks for a
 * cashier PIN to open a shift before it takes payments.
 */

export const USAGE = `Usage: npm run cashier -- <command>

  add <name> <pin>     create a cashier; the PIN is 4 to 6 digits, unique among cashiers and
                       not the manager PIN. The last stdout line is JSON {"id","name"}
  list                 the cashiers
  remove <name or id>  remove a cashier (their past shifts and payments keep the name)

Each command takes --shop <id or name> for another shop than the default one (npm run shop -- list).
Once a cashier exists in a shop, every terminal of that shop asks for a cashier PIN to open a shift.`;

export async function runCashierCli(args: readonly string[], io: CliIo): Promise<number> {
  const [command, ...words] = args;
  const { options, rest, problem } = takeOptions(words, ['shop']);
  const usage = (problem: string) => {
    io.err(`${problem}\n\n${USAGE}`);
    return 2;
  };
  if (command === undefined) return usage('No command given.');
  if (command === 'help' || command === '--help' || command === '-h') {
    io.out(USAGE);
    return 0;
  }
  if (!['add', 'list', 'remove'].includes(command)) return usage(`Unknown command "${command}".`);
  if (problem) return usage(problem);
  if (command === 'add' && rest.length < 2) return usage('"add" needs a name and a PIN.');
  if (command === 'list' && rest.length > 0) return usage('"list" takes no argument.');
  if (command === 'remove' && rest.join(' ').trim() === '') return usage('"remove" needs the cashier’s name or id.');

  const opened = await openJournal(io);
  if (typeof opened === 'number') return opened;
  const { config, store } = opened;
  const terminals = new TerminalRegistry({ store, ...(config.managerPin ? { envPin: config.managerPin } : {}) });
  const shop = options.shop === undefined ? undefined : await new ShopDirectory({ store, defaults: { name: config.flow.body, timeZone: config.flow.timeZone } }).find(options.shop);
  if (options.shop !== undefined && !shop) {
    io.err(`No shop "${options.shop}" (npm run shop -- list).`);
    await store.close();
    return 1;
  }
  const shopId = shop?.id;
  const cashiers = new Cashiers({
    store,
    ...(shopId ? { shopId } : {}),
    isManagerPin: async (pin) => (await terminals.pinConfigured(shopId)) && terminals.checkPin(pin, shopId),
  });
  try {
    switch (command) {
      case 'add': {
        const pin = rest.at(-1)!;
        const cashier = await cashiers.add(rest.slice(0, -1).join(' '), pin);
        io.out(`Created cashier "${cashier.name}" (${cashier.id}). Terminals now ask for a cashier PIN to open a shift.`);
        io.out(JSON.stringify({ id: cashier.id, name: cashier.name }));
        return 0;
      }
      case 'list': {
        const all = await cashiers.list();
        if (all.length === 0) io.out('No cashiers: terminals take payments without a shift. Add one: npm run cashier -- add <name> <pin>.');
        for (const c of all) io.out(`${c.name}\t${c.id}\tcreated ${c.created_at}`);
        return 0;
      }
      case 'remove': {
        const wanted = rest.join(' ').trim();
        const found = await cashiers.find(wanted);
        if (!found) {
          const names = (await cashiers.list()).map((c) => c.name);
          io.err(`No cashier named "${wanted}". ${names.length ? `Cashiers: ${names.join(', ')}.` : 'There are none.'}`);
          return 1;
        }
        await cashiers.remove(found.id);
        io.out(`Removed cashier "${found.name}".${(await cashiers.exist()) ? '' : ' No cashiers are left: terminals take payments without a shift again.'}`);
        return 0;
      }
    }
    return 2;
  } catch (error) {
    if (error instanceof CashierError) {
      io.err(error.message);
      return 1;
    }
    throw error;
  } finally {
    await store.close();
  }
}

await runWhenInvoked(import.meta.url, runCashierCli);
