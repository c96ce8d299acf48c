/**
 * Numbered schema migrations, applied in order and recorded in schema_migrations. Never edit a
 * released migration: add the next number. Times are epoch milliseconds, money integer fen.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'payments journal, refunds, terminals, pairing codes, settings',
    sql: `
      CREATE TABLE payments (
        id                 TEXT PRIMARY KEY,
        out_trade_no       TEXT NOT NULL UNIQUE,
        terminal_id        TEXT NOT NULL,
        amount_fen         INTEGER NOT NULL CHECK (amount_fen > 0),
        description        TEXT,
        auth_code_masked   TEXT NOT NULL,
        auth_code_hash     TEXT NOT NULL,
        status             TEXT NOT NULL CHECK (status IN ('processing', 'user_paying', 'succeeded', 'failed', 'canceled', 'needs_attention')),
        step               TEXT NOT NULL CHECK (step IN ('send', 'query', 'reverse', 'confirm', 'manual', 'done')),
        error_code         TEXT,
        error_message      TEXT,
        transaction_id     TEXT,
        late_payment       INTEGER NOT NULL DEFAULT 0,
        cancel_requested   INTEGER NOT NULL DEFAULT 0,
        send_rejected      INTEGER NOT NULL DEFAULT 0,
        sent_at            INTEGER,
        reverse_decided_at INTEGER,
        reverse_reason     TEXT,
        reverse_attempts   INTEGER NOT NULL DEFAULT 0,
        deadline_at        INTEGER NOT NULL,
        reverse_after      INTEGER NOT NULL,
        next_at            INTEGER NOT NULL,
        lease_owner        TEXT,
        lease_until        INTEGER,
        created_at         INTEGER NOT NULL,
        updated_at         INTEGER NOT NULL
      );
      -- One payment in progress per terminal, enforced by the database (docs/payment-states.md).
      CREATE UNIQUE INDEX payments_one_active_per_terminal ON payments (terminal_id) WHERE status IN ('processing', 'user_paying');
      CREATE INDEX payments_created_at ON payments (created_at);
      CREATE INDEX payments_unfinished ON payments (next_at) WHERE step NOT IN ('done', 'manual');

      -- Append-only journal of every status/step change.
      CREATE TABLE payment_events (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        payment_id  TEXT NOT NULL REFERENCES payments (id),
        at          INTEGER NOT NULL,
        from_status TEXT,
        to_status   TEXT NOT NULL,
        from_step   TEXT,
        to_step     TEXT NOT NULL,
        error_code  TEXT
      );
      CREATE INDEX payment_events_payment ON payment_events (payment_id, seq);

      CREATE TABLE refunds (
        id            TEXT PRIMARY KEY,
        payment_id    TEXT NOT NULL REFERENCES payments (id),
        amount_fen    INTEGER NOT NULL CHECK (amount_fen > 0),
        reason        TEXT,
        status        TEXT NOT NULL CHECK (status IN ('processing', 'succeeded', 'failed')),
        step          TEXT NOT NULL CHECK (step IN ('send', 'query', 'done')),
        error_code    TEXT,
        error_message TEXT,
        refund_id     TEXT,
        attempts      INTEGER NOT NULL DEFAULT 0,
        next_at       INTEGER NOT NULL,
        lease_owner   TEXT,
        lease_until   INTEGER,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL
      );
      CREATE INDEX refunds_payment ON refunds (payment_id);
      CREATE INDEX refunds_unfinished ON refunds (next_at) WHERE step != 'done';

      -- refunded_fen is derived from succeeded refunds, so it can never drift from them.
      CREATE VIEW payments_v AS
        SELECT p.*, (SELECT COALESCE(SUM(r.amount_fen), 0) FROM refunds r WHERE r.payment_id = p.id AND r.status = 'succeeded') AS refunded_fen
        FROM payments p;

      CREATE TABLE terminals (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL
      );

      CREATE TABLE pairing_codes (
        code_hash   TEXT PRIMARY KEY,
        terminal_id TEXT NOT NULL REFERENCES terminals (id),
        expires_at  INTEGER NOT NULL,
        used_at     INTEGER
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
    // A token used to be derived from its pairing code with a secret kept in this file, so a copy
    // of the file plus a used or expired code gave a live token. Tokens are now random and only
    // their hashes are kept, one row each: the token the CLI prints and the one a device gets by
    // pairing are both valid until revoked. Existing tokens keep working (their hashes move);
    // the secret is deleted, so no token can be derived from a later copy of this file.
    sql: `
      CREATE TABLE terminal_tokens (
        token_hash  TEXT PRIMARY KEY,
        terminal_id TEXT NOT NULL REFERENCES terminals (id),
        created_at  INTEGER NOT NULL
      );
      CREATE INDEX terminal_tokens_terminal ON terminal_tokens (terminal_id);
      INSERT INTO terminal_tokens (token_hash, terminal_id, created_at) SELECT token_hash, id, created_at FROM terminals;

      -- Rebuilt without token_hash; paired_at moves here from the settings table.
      CREATE TABLE terminals_v2 (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        paired_at  INTEGER
      );
      INSERT INTO terminals_v2 (id, name, created_at, paired_at)
        SELECT t.id, t.name, t.created_at,
               (SELECT CAST(ROUND((julianday(s.value) - 2440587.5) * 86400000) AS INTEGER) FROM settings s WHERE s.key = 'paired_at:' || t.id)
        FROM terminals t;
      DROP TABLE terminals;
      ALTER TABLE terminals_v2 RENAME TO terminals;
      CREATE INDEX pairing_codes_terminal ON pairing_codes (terminal_id);

      DELETE FROM settings WHERE key = 'pairing_secret' OR key LIKE 'paired_at:%';
    `,
  },
  {
    version: 3,
    name: 'cashiers and shifts; payments and refunds record the shift and cashier; terminal roles',
    sql: `
      -- A cashier signs in with a PIN of their own (scrypt, like the manager PIN). Removed
      -- cashiers stay (removed_at) so past shifts keep their name; a name is unique among the rest.
      CREATE TABLE cashiers (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL,
        pin_hash   TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        removed_at INTEGER
      );
      CREATE UNIQUE INDEX cashiers_active_name ON cashiers (lower(name)) WHERE removed_at IS NULL;

      -- A shift is one terminal's: one open shift per terminal, enforced by the database.
      CREATE TABLE shifts (
        id           TEXT PRIMARY KEY,
        terminal_id  TEXT NOT NULL,
        cashier_id   TEXT NOT NULL REFERENCES cashiers (id),
        cashier_name TEXT NOT NULL,
        opened_at    INTEGER NOT NULL,
        closed_at    INTEGER,
        closed_by    TEXT
      );
      CREATE UNIQUE INDEX shifts_one_open_per_terminal ON shifts (terminal_id) WHERE closed_at IS NULL;
      CREATE INDEX shifts_opened_at ON shifts (opened_at);

      -- Who took the payment or made the refund: the shift and the cashier's name at that time.
      ALTER TABLE payments ADD COLUMN shift_id TEXT;
      ALTER TABLE payments ADD COLUMN cashier TEXT;
      CREATE INDEX payments_shift ON payments (shift_id) WHERE shift_id IS NOT NULL;
      ALTER TABLE refunds ADD COLUMN shift_id TEXT;
      ALTER TABLE refunds ADD COLUMN cashier TEXT;
      CREATE INDEX refunds_shift ON refunds (shift_id) WHERE shift_id IS NOT NULL;
      -- Exports and reports read refunds by the time they were made.
      CREATE INDEX refunds_created_at ON refunds (created_at, id);

      -- 'till' takes payments; 'owner' only reads (the owner's report link).
      ALTER TABLE terminals ADD COLUMN role TEXT NOT NULL DEFAULT 'till' CHECK (role IN ('till', 'owner'));
    `,
  },
  {
    version: 4,
    name: 'payment list pages by day and terminal, refunds record their terminal',
    sql: `
      -- A page of a day, newest first, is an index range read backwards (ties broken by id).
      CREATE INDEX payments_day ON payments (created_at, id);
      CREATE INDEX payments_terminal_day ON payments (terminal_id, created_at, id);
      DROP INDEX payments_created_at;
      ALTER TABLE refunds ADD COLUMN terminal_id TEXT;
    `,
  },
  {
    version: 5,
    name: 'reconciliation runs and their differences',
    sql: `
      -- Each comparison of the journal with WeChat's bill of a Beijing day; every run is kept.
      CREATE TABLE reconciliations (
        id            TEXT PRIMARY KEY,
        bill_date     TEXT NOT NULL,
        status        TEXT NOT NULL CHECK (status IN ('matched', 'differences', 'no_bill', 'error')),
        run_at        INTEGER NOT NULL,
        journal_count INTEGER NOT NULL,
        bill_count    INTEGER NOT NULL,
        matched_count INTEGER NOT NULL,
        error         TEXT
      );
      CREATE INDEX reconciliations_day ON reconciliations (bill_date, run_at);
      CREATE TABLE reconciliation_differences (
        run_id         TEXT NOT NULL REFERENCES reconciliations (id),
        seq            INTEGER NOT NULL,
        kind           TEXT NOT NULL CHECK (kind IN ('missing_in_journal', 'missing_at_wechat', 'amount_mismatch', 'status_mismatch', 'refund_mismatch')),
        out_trade_no   TEXT NOT NULL,
        out_refund_no  TEXT,
        payment_id     TEXT,
        transaction_id TEXT,
        journal_fen    INTEGER,
        bill_fen       INTEGER,
        journal_status TEXT,
        bill_status    TEXT,
        PRIMARY KEY (run_id, seq)
      );
    `,
  },
  {
    version: 6,
    name: 'payments and refunds record their wallet (WeChat Pay or Alipay); an Alipay cancel records its action',
    sql: `
      -- Every payment before this migration was a WeChat Pay payment.
      ALTER TABLE payments ADD COLUMN wallet TEXT NOT NULL DEFAULT 'wechat' CHECK (wallet IN ('wechat', 'alipay'));
      -- alipay.trade.cancel's action: 'close' (was unpaid) or 'refund' (was paid: the money went back).
      ALTER TABLE payments ADD COLUMN cancel_action TEXT CHECK (cancel_action IN ('close', 'refund'));
      ALTER TABLE refunds ADD COLUMN wallet TEXT NOT NULL DEFAULT 'wechat' CHECK (wallet IN ('wechat', 'alipay'));
    `,
  },
  {
    version: 7,
    name: 'what the customer paid in cash and coupons, what the shop is settled, and the bank',
    // WeChat's cash_fee, coupon_fee, settlement_total_fee and bank_type of a paid order; NULL
    // when WeChat sent none (a coupon-less answer has no coupon_fee, older ones no settlement).
    sql: `
      ALTER TABLE payments ADD COLUMN cash_fen INTEGER;
      ALTER TABLE payments ADD COLUMN coupon_fen INTEGER;
      ALTER TABLE payments ADD COLUMN settlement_fen INTEGER;
      ALTER TABLE payments ADD COLUMN bank_type TEXT;
    `,
  },
  {
    version: 8,
    name: 'shops: terminals, payments, shifts and cashiers belong to one; a default shop for what exists',
    sql: `
      -- A shop of a chain or a service provider's sub-merchant. The default shop's NULL fields
      -- follow the server's configuration (SHOP_NAME, TIME_ZONE, WECHAT_SUB_MCH_ID, MANAGER_PIN).
      CREATE TABLE shops (
        id               TEXT PRIMARY KEY,
        name             TEXT,
        time_zone        TEXT,
        sub_mch_id       TEXT,
        sub_appid        TEXT,
        manager_pin_hash TEXT,
        created_at       INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX shops_name ON shops (lower(name)) WHERE name IS NOT NULL;
      INSERT INTO shops (id, created_at) VALUES ('default', 0);

      -- Rebuilt: the role check gains 'operator' (SQLite cannot alter a CHECK), and shop_id.
      CREATE TABLE terminals_rebuilt (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        paired_at  INTEGER,
        role       TEXT NOT NULL DEFAULT 'till' CHECK (role IN ('till', 'owner', 'operator')),
        shop_id    TEXT NOT NULL DEFAULT 'default' REFERENCES shops (id)
      );
      INSERT INTO terminals_rebuilt (id, name, created_at, paired_at, role) SELECT id, name, created_at, paired_at, role FROM terminals;
      DROP TABLE terminals;
      ALTER TABLE terminals_rebuilt RENAME TO terminals;
      CREATE INDEX terminals_shop ON terminals (shop_id);

      -- Existing payments, shifts and cashiers are the default shop's.
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
    sql: `
      -- A run compares one shop's journal with one wallet's bill of a day; earlier runs were the default shop's WeChat ones.
      ALTER TABLE reconciliations ADD COLUMN shop_id TEXT NOT NULL DEFAULT 'default';
      ALTER TABLE reconciliations ADD COLUMN wallet TEXT NOT NULL DEFAULT 'wechat' CHECK (wallet IN ('wechat', 'alipay'));
      DROP INDEX reconciliations_day;
      CREATE INDEX reconciliations_day ON reconciliations (bill_date, shop_id, wallet, run_at);

      -- Rebuilt: the kind check gains 'missing_at_alipay' (SQLite cannot alter a CHECK).
      CREATE TABLE reconciliation_differences_rebuilt (
        run_id         TEXT NOT NULL REFERENCES reconciliations (id),
        seq            INTEGER NOT NULL,
        kind           TEXT NOT NULL CHECK (kind IN ('missing_in_journal', 'missing_at_wechat', 'missing_at_alipay', 'amount_mismatch', 'status_mismatch', 'refund_mismatch')),
        out_trade_no   TEXT NOT NULL,
        out_refund_no  TEXT,
        payment_id     TEXT,
        transaction_id TEXT,
        journal_fen    INTEGER,
        bill_fen       INTEGER,
        journal_status TEXT,
        bill_status    TEXT,
        PRIMARY KEY (run_id, seq)
      );
      INSERT INTO reconciliation_differences_rebuilt SELECT run_id, seq, kind, out_trade_no, out_refund_no, payment_id, transaction_id, journal_fen, bill_fen, journal_status, bill_status FROM reconciliation_differences;
      DROP TABLE reconciliation_differences;
      ALTER TABLE reconciliation_differences_rebuilt RENAME TO reconciliation_differences;
    `,
  },
  {
    version: 10,
    name: 'reconciliation claims: one instance reconciles a shop\'s day at a time',
    sql: `
      -- The daily job's lease on (day, shop): the instance that holds it downloads and compares,
      -- the others leave it until it expires (a dead instance's claim lapses).
      CREATE TABLE reconciliation_claims (
        bill_date TEXT NOT NULL,
        shop_id   TEXT NOT NULL,
        owner     TEXT NOT NULL,
        until     INTEGER NOT NULL,
        PRIMARY KEY (bill_date, shop_id)
      );
    `,
  },
];
