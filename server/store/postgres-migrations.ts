import type { Migration } from './migrations.ts';

/**
 * The PostgreSQL schema, numbered like SQLite's (migrations.ts) and kept equal to it column for
 * column (test/server/store/schema-parity.test.ts compares them). Never edit a released
 * migration: add the next number. Money is BIGINT fen and times BIGINT epoch milliseconds (both
 * read back as JavaScript numbers, refused beyond 2^53); flags are BOOLEAN.
 *
 * Differences from SQLite, all internal to postgres.ts and postgres/:
 * - payments.version counts every write of a row: a transition reads the row, decides in
 *   JavaScript and writes only if the version is still the one it read (compare-and-set, retried
 *   on a race), so no transaction stays open while the decision runs.
 * - refunded_fen is computed in each query (no view: a PostgreSQL view freezes `p.*` when it
 *   is created, so a later ADD COLUMN would silently be missing from it).
 *
 * Shops (migration 8): `ADD COLUMN shop_id TEXT NOT NULL DEFAULT 'default'` is applied by
 * PostgreSQL 11+ without rewriting the table; per-shop indexes lead with shop_id.
 */
export const PG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'payments journal, refunds, terminals, pairing codes, settings',
    sql: `
      CREATE TABLE payments (
        id                 TEXT COLLATE "C" PRIMARY KEY,
        out_trade_no       TEXT NOT NULL UNIQUE,
        terminal_id        TEXT NOT NULL,
        amount_fen         BIGINT NOT NULL CHECK (amount_fen > 0),
        description        TEXT,
        auth_code_masked   TEXT NOT NULL,
        auth_code_hash     TEXT NOT NULL,
        status             TEXT NOT NULL CHECK (status IN ('processing', 'user_paying', 'succeeded', 'failed', 'canceled', 'needs_attention')),
        step               TEXT NOT NULL CHECK (step IN ('send', 'query', 'reverse', 'confirm', 'manual', 'done')),
        error_code         TEXT,
        error_message      TEXT,
        transaction_id     TEXT,
        late_payment       BOOLEAN NOT NULL DEFAULT FALSE,
        cancel_requested   BOOLEAN NOT NULL DEFAULT FALSE,
        send_rejected      BOOLEAN NOT NULL DEFAULT FALSE,
        sent_at            BIGINT,
        reverse_decided_at BIGINT,
        reverse_reason     TEXT,
        reverse_attempts   INTEGER NOT NULL DEFAULT 0,
        deadline_at        BIGINT NOT NULL,
        reverse_after      BIGINT NOT NULL,
        next_at            BIGINT NOT NULL,
        lease_owner        TEXT,
        lease_until        BIGINT,
        created_at         BIGINT NOT NULL,
        updated_at         BIGINT NOT NULL,
        version            BIGINT NOT NULL DEFAULT 0
      );
      -- One payment in progress per terminal, enforced by the database across every instance.
      CREATE UNIQUE INDEX payments_one_active_per_terminal ON payments (terminal_id) WHERE status IN ('processing', 'user_paying');
      CREATE INDEX payments_created_at ON payments (created_at);
      CREATE INDEX payments_unfinished ON payments (next_at) WHERE step NOT IN ('done', 'manual');

      -- Append-only journal of every status/step change.
      CREATE TABLE payment_events (
        seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        payment_id  TEXT NOT NULL REFERENCES payments (id),
        at          BIGINT NOT NULL,
        from_status TEXT,
        to_status   TEXT NOT NULL,
        from_step   TEXT,
        to_step     TEXT NOT NULL,
        error_code  TEXT
      );
      CREATE INDEX payment_events_payment ON payment_events (payment_id, seq);

      CREATE TABLE refunds (
        id            TEXT COLLATE "C" PRIMARY KEY,
        payment_id    TEXT NOT NULL REFERENCES payments (id),
        amount_fen    BIGINT NOT NULL CHECK (amount_fen > 0),
        reason        TEXT,
        status        TEXT NOT NULL CHECK (status IN ('processing', 'succeeded', 'failed')),
        step          TEXT NOT NULL CHECK (step IN ('send', 'query', 'done')),
        error_code    TEXT,
        error_message TEXT,
        refund_id     TEXT,
        attempts      INTEGER NOT NULL DEFAULT 0,
        next_at       BIGINT NOT NULL,
        lease_owner   TEXT,
        lease_until   BIGINT,
        created_at    BIGINT NOT NULL,
        updated_at    BIGINT NOT NULL
      );
      CREATE INDEX refunds_payment ON refunds (payment_id);
      CREATE INDEX refunds_unfinished ON refunds (next_at) WHERE step <> 'done';

      CREATE TABLE terminals (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_at BIGINT NOT NULL
      );

      CREATE TABLE pairing_codes (
        code_hash   TEXT PRIMARY KEY,
        terminal_id TEXT NOT NULL REFERENCES terminals (id),
        expires_at  BIGINT NOT NULL,
        used_at     BIGINT
      );

      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'terminal tokens: random, hashed, several per terminal, revocable; no pairing secret',
    // As SQLite's migration 2 (migrations.ts): tokens in a table of their own, paired_at moved
    // from the settings into the terminal, the pairing secret deleted.
    sql: `
      CREATE TABLE terminal_tokens (
        token_hash  TEXT PRIMARY KEY,
        terminal_id TEXT NOT NULL REFERENCES terminals (id),
        created_at  BIGINT NOT NULL
      );
      CREATE INDEX terminal_tokens_terminal ON terminal_tokens (terminal_id);
      INSERT INTO terminal_tokens (token_hash, terminal_id, created_at) SELECT token_hash, id, created_at FROM terminals;

      ALTER TABLE terminals DROP COLUMN token_hash;
      ALTER TABLE terminals ADD COLUMN paired_at BIGINT;
      UPDATE terminals t SET paired_at = (EXTRACT(EPOCH FROM s.value::timestamptz) * 1000)::bigint
        FROM settings s WHERE s.key = 'paired_at:' || t.id;
      CREATE INDEX pairing_codes_terminal ON pairing_codes (terminal_id);

      DELETE FROM settings WHERE key = 'pairing_secret' OR key LIKE 'paired_at:%';
    `,
  },
  {
    version: 3,
    name: 'cashiers and shifts; payments and refunds record the shift and cashier; terminal roles',
    // As SQLite's migration 3 (migrations.ts).
    sql: `
      CREATE TABLE cashiers (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL,
        pin_hash   TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        removed_at BIGINT
      );
      CREATE UNIQUE INDEX cashiers_active_name ON cashiers (lower(name)) WHERE removed_at IS NULL;

      CREATE TABLE shifts (
        id           TEXT PRIMARY KEY,
        terminal_id  TEXT NOT NULL,
        cashier_id   TEXT NOT NULL REFERENCES cashiers (id),
        cashier_name TEXT NOT NULL,
        opened_at    BIGINT NOT NULL,
        closed_at    BIGINT,
        closed_by    TEXT
      );
      CREATE UNIQUE INDEX shifts_one_open_per_terminal ON shifts (terminal_id) WHERE closed_at IS NULL;
      CREATE INDEX shifts_opened_at ON shifts (opened_at);

      ALTER TABLE payments ADD COLUMN shift_id TEXT;
      ALTER TABLE payments ADD COLUMN cashier TEXT;
      CREATE INDEX payments_shift ON payments (shift_id) WHERE shift_id IS NOT NULL;
      ALTER TABLE refunds ADD COLUMN shift_id TEXT;
      ALTER TABLE refunds ADD COLUMN cashier TEXT;
      CREATE INDEX refunds_shift ON refunds (shift_id) WHERE shift_id IS NOT NULL;
      CREATE INDEX refunds_created_at ON refunds (created_at, id);

      ALTER TABLE terminals ADD COLUMN role TEXT NOT NULL DEFAULT 'till' CHECK (role IN ('till', 'owner'));
    `,
  },
  {
    version: 4,
    name: 'payment list pages by day and terminal, refunds record their terminal',
    // As SQLite's migration 4 (migrations.ts).
    sql: `
      CREATE INDEX payments_day ON payments (created_at, id);
      CREATE INDEX payments_terminal_day ON payments (terminal_id, created_at, id);
      DROP INDEX payments_created_at;
      ALTER TABLE refunds ADD COLUMN terminal_id TEXT;
    `,
  },
  {
    version: 5,
    name: 'reconciliation runs and their differences',
    // As SQLite's migration 5 (migrations.ts).
    sql: `
      -- Each comparison of the journal with WeChat's bill of a Beijing day; every run is kept.
      CREATE TABLE reconciliations (
        id            TEXT PRIMARY KEY,
        bill_date     TEXT NOT NULL,
        status        TEXT NOT NULL CHECK (status IN ('matched', 'differences', 'no_bill', 'error')),
        run_at        BIGINT NOT NULL,
        journal_count BIGINT NOT NULL,
        bill_count    BIGINT NOT NULL,
        matched_count BIGINT NOT NULL,
        error         TEXT
      );
      CREATE INDEX reconciliations_day ON reconciliations (bill_date, run_at);
      CREATE TABLE reconciliation_differences (
        run_id         TEXT NOT NULL REFERENCES reconciliations (id),
        seq            BIGINT NOT NULL,
        kind           TEXT NOT NULL CHECK (kind IN ('missing_in_journal', 'missing_at_wechat', 'amount_mismatch', 'status_mismatch', 'refund_mismatch')),
        out_trade_no   TEXT NOT NULL,
        out_refund_no  TEXT,
        payment_id     TEXT,
        transaction_id TEXT,
        journal_fen    BIGINT,
        bill_fen       BIGINT,
        journal_status TEXT,
        bill_status    TEXT,
        PRIMARY KEY (run_id, seq)
      );
    `,
  },
  {
    version: 6,
    name: 'payments and refunds record their wallet (WeChat Pay or Alipay); an Alipay cancel records its action',
    // As SQLite's migration 6 (migrations.ts).
    sql: `
      ALTER TABLE payments ADD COLUMN wallet TEXT NOT NULL DEFAULT 'wechat' CHECK (wallet IN ('wechat', 'alipay'));
      ALTER TABLE payments ADD COLUMN cancel_action TEXT CHECK (cancel_action IN ('close', 'refund'));
      ALTER TABLE refunds ADD COLUMN wallet TEXT NOT NULL DEFAULT 'wechat' CHECK (wallet IN ('wechat', 'alipay'));
    `,
  },
  {
    version: 7,
    name: 'what the customer paid in cash and coupons, what the shop is settled, and the bank',
    // As SQLite's migration 7 (migrations.ts).
    sql: `
      ALTER TABLE payments ADD COLUMN cash_fen BIGINT;
      ALTER TABLE payments ADD COLUMN coupon_fen BIGINT;
      ALTER TABLE payments ADD COLUMN settlement_fen BIGINT;
      ALTER TABLE payments ADD COLUMN bank_type TEXT;
    `,
  },
  {
    version: 8,
    name: 'shops: terminals, payments, shifts and cashiers belong to one; a default shop for what exists',
    // As SQLite's migration 8 (migrations.ts); the terminals table is altered in place.
    sql: `
      CREATE TABLE shops (
        id               TEXT PRIMARY KEY,
        name             TEXT,
        time_zone        TEXT,
        sub_mch_id       TEXT,
        sub_appid        TEXT,
        manager_pin_hash TEXT,
        created_at       BIGINT NOT NULL
      );
      CREATE UNIQUE INDEX shops_name ON shops (lower(name)) WHERE name IS NOT NULL;
      INSERT INTO shops (id, created_at) VALUES ('default', 0);

      ALTER TABLE terminals DROP CONSTRAINT terminals_role_check;
      ALTER TABLE terminals ADD CONSTRAINT terminals_role_check CHECK (role IN ('till', 'owner', 'operator'));
      ALTER TABLE terminals ADD COLUMN shop_id TEXT NOT NULL DEFAULT 'default' REFERENCES shops (id);
      CREATE INDEX terminals_shop ON terminals (shop_id);

      ALTER TABLE payments ADD COLUMN shop_id TEXT NOT NULL DEFAULT 'default';
      CREATE INDEX payments_shop_day ON payments (shop_id, created_at, id);
      ALTER TABLE shifts ADD COLUMN shop_id TEXT NOT NULL DEFAULT 'default';
      CREATE INDEX shifts_shop_opened_at ON shifts (shop_id, opened_at);
      ALTER TABLE cashiers ADD COLUMN shop_id TEXT NOT NULL DEFAULT 'default';
      DROP INDEX cashiers_active_name;
      CREATE UNIQUE INDEX cashiers_active_name ON cashiers (shop_id, lower(name)) WHERE removed_at IS NULL;
    `,
  },
  {
    version: 9,
    name: 'reconciliation runs per shop and wallet; a difference can be missing at Alipay',
    // As SQLite's migration 9 (migrations.ts); the differences' kind check is altered in place.
    sql: `
      ALTER TABLE reconciliations ADD COLUMN shop_id TEXT NOT NULL DEFAULT 'default';
      ALTER TABLE reconciliations ADD COLUMN wallet TEXT NOT NULL DEFAULT 'wechat' CHECK (wallet IN ('wechat', 'alipay'));
      DROP INDEX reconciliations_day;
      CREATE INDEX reconciliations_day ON reconciliations (bill_date, shop_id, wallet, run_at);
      ALTER TABLE reconciliation_differences DROP CONSTRAINT reconciliation_differences_kind_check;
      ALTER TABLE reconciliation_differences ADD CONSTRAINT reconciliation_differences_kind_check
        CHECK (kind IN ('missing_in_journal', 'missing_at_wechat', 'missing_at_alipay', 'amount_mismatch', 'status_mismatch', 'refund_mismatch'));
    `,
  },
  {
    version: 10,
    name: 'reconciliation claims: one instance reconciles a shop\'s day at a time',
    // As SQLite's migration 10 (migrations.ts).
    sql: `
      -- The daily job's lease on (day, shop): the instance that holds it downloads and compares,
      -- the others leave it until it expires (a dead instance's claim lapses).
      CREATE TABLE reconciliation_claims (
        bill_date TEXT NOT NULL,
        shop_id   TEXT NOT NULL,
        owner     TEXT NOT NULL,
        until     BIGINT NOT NULL,
        PRIMARY KEY (bill_date, shop_id)
      );
    `,
  },
];
