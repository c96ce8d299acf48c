import { isStorageFailure, journalCause } from '../store/data-dir.ts';
import { openJournal } from './journal.ts';
import { ShopDirectory, ShopError, type NewShop } from '../shops/shops.ts';
import { takeOptions } from './options.ts';
import { runWhenInvoked, type CliIo } from './main.ts';

/**
 * `npm run shop -- <command>`: the shops of a chain or a service provider's sub-merchants in the
 * server's journal (same DATA_DIR or DATABASE_URL as `npm start`; safe while servers run: they
 * read a new shop when its first terminal asks). A single shop needs none of this: the default
 * shop is there from the start.
 */

export const USAGE = `Usage: npm run shop -- <command>

  add <name> [--sub-mch-id ID] [--sub-appid ID] [--time-zone TZ]
          create a shop. --sub-mch-id / --sub-appid: its WeChat Pay sub-merchant (service-provider
          mode), sent on each of its payments, refunds, queries, reverses and bills. --time-zone:
          its days (reports, history, exports), default SHOP_TIMEZONE. Fixed once created.
          The last stdout line is JSON {"id","name"}
  list    the shops, the default one first

Then: npm run terminal -- add <name> --shop <id>, and npm run terminal -- pin <pin> --shop <id>.`;

export async function runShopCli(args: readonly string[], io: CliIo): Promise<number> {
  const [command, ...words] = args;
  const usage = (problem: string) => {
    io.err(`${problem}\n\n${USAGE}`);
    return 2;
  };
  if (command === undefined) return usage('No command given.');
  if (command === 'help' || command === '--help' || command === '-h') {
    io.out(USAGE);
    return 0;
  }
  if (command !== 'add' && command !== 'list') return usage(`Unknown command "${command}".`);
  const { options, rest, problem } = takeOptions(words, command === 'add' ? ['sub-mch-id', 'sub-appid', 'time-zone'] : []);
  if (problem) return usage(problem);
  const name = rest.join(' ').trim();
  if (command === 'add' && name === '') return usage('"add" needs a shop name.');
  if (command === 'list' && name !== '') return usage('"list" takes no argument.');

  const opened = await openJournal(io);
  if (typeof opened === 'number') return opened;
  const { config, store } = opened;
  const shops = new ShopDirectory({ store, defaults: { name: config.flow.body, timeZone: config.flow.timeZone } });
  try {
    if (command === 'add') {
      const fields: NewShop = { name };
      if (options['sub-mch-id'] !== undefined) fields.subMchId = options['sub-mch-id'];
      if (options['sub-appid'] !== undefined) fields.subAppid = options['sub-appid'];
      if (options['time-zone'] !== undefined) fields.timeZone = options['time-zone'];
      const shop = await shops.add(fields);
      io.out(`Created shop "${shop.name}" (${shop.id}), time zone ${shop.timeZone}${shop.merchant ? `, sub-merchant ${shop.merchant.sub_mch_id}` : ''}.`);
      io.out(`Add its tablets: npm run terminal -- add <name> --shop ${shop.id}; its manager PIN: npm run terminal -- pin <pin> --shop ${shop.id}`);
      io.out(JSON.stringify({ id: shop.id, name: shop.name }));
      return 0;
    }
    for (const shop of await shops.list()) {
      io.out(`${shop.name}\t${shop.id}\t${shop.timeZone}${shop.merchant ? `\tsub_mch_id ${shop.merchant.sub_mch_id}${shop.merchant.sub_appid ? ` sub_appid ${shop.merchant.sub_appid}` : ''}` : ''}`);
    }
    return 0;
  } catch (error) {
    if (error instanceof ShopError) {
      io.err(error.message);
      return 1;
    }
    if (isStorageFailure(error)) {
      io.err(`journal: ${journalCause(error)}`);
      return 1;
    }
    throw error;
  } finally {
    await store.close();
  }
}

await runWhenInvoked(import.meta.url, runShopCli);
