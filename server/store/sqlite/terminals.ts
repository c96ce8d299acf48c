import { DEFAULT_SHOP_ID, type PairingCodeRow, type ShiftStatus, type TerminalRow, type TerminalTokenRow } from '../types.ts';
import { shiftFromDb } from './shifts.ts';
import type { SqliteContext } from './context.ts';
import { num, optNum, str, type DbRow } from './rows.ts';

// role and shop are left out for a till of the default shop, so its row reads as it always did.
const terminalFromDb = (r: DbRow): TerminalRow => ({
  id: str(r.id),
  name: str(r.name),
  created_at: num(r.created_at),
  paired_at: optNum(r.paired_at),
  ...(r.role === 'owner' || r.role === 'operator' ? { role: r.role } : {}),
  ...(r.shop_id !== null && r.shop_id !== undefined && r.shop_id !== DEFAULT_SHOP_ID ? { shop_id: str(r.shop_id) } : {}),
});

const SHIFT_COLUMNS = ['id', 'terminal_id', 'shop_id', 'cashier_id', 'cashier_name', 'opened_at', 'closed_at', 'closed_by'] as const;

/** Terminals with their tokens and pairing codes (server/terminals/). */
export function sqliteTerminals(ctx: SqliteContext) {
  const { db } = ctx;
  const q = {
    insertTerminal: db.prepare(
      'INSERT INTO terminals (id, name, created_at, paired_at, role, shop_id) VALUES (@id, @name, @created_at, @paired_at, @role, @shop_id)',
    ),
    terminal: db.prepare('SELECT * FROM terminals WHERE id = ?'),
    terminalByToken: db.prepare('SELECT t.* FROM terminal_tokens k JOIN terminals t ON t.id = k.terminal_id WHERE k.token_hash = ?'),
    // The shift's columns prefixed (its id, shop_id… would hide the terminal's).
    terminalWithShift: db.prepare(
      `SELECT t.*, ${SHIFT_COLUMNS.map((c) => `s.${c} AS s_${c}`).join(', ')},
              EXISTS (SELECT 1 FROM cashiers c WHERE c.removed_at IS NULL AND c.shop_id = t.shop_id) AS has_cashiers
       FROM terminal_tokens k JOIN terminals t ON t.id = k.terminal_id
       LEFT JOIN shifts s ON s.terminal_id = t.id AND s.closed_at IS NULL
       WHERE k.token_hash = ?`,
    ),
    terminals: db.prepare('SELECT * FROM terminals ORDER BY created_at, id'),
    shopTerminals: db.prepare('SELECT * FROM terminals WHERE shop_id = ? ORDER BY created_at, id'),
    insertToken: db.prepare('INSERT INTO terminal_tokens (token_hash, terminal_id, created_at) VALUES (@token_hash, @terminal_id, @created_at)'),
    revokeTokens: db.prepare('DELETE FROM terminal_tokens WHERE terminal_id = ?'),
    setPaired: db.prepare('UPDATE terminals SET paired_at = ? WHERE id = ?'),
    deleteTerminal: db.prepare('DELETE FROM terminals WHERE id = ?'),
    insertPairing: db.prepare('INSERT INTO pairing_codes (code_hash, terminal_id, expires_at) VALUES (@code_hash, @terminal_id, @expires_at)'),
    consumePairing: db.prepare('UPDATE pairing_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING terminal_id').pluck(),
    dropUnusedCodes: db.prepare('DELETE FROM pairing_codes WHERE terminal_id = ? AND used_at IS NULL'),
    dropAllCodes: db.prepare('DELETE FROM pairing_codes WHERE terminal_id = ?'),
  };

  return {
    async createTerminal(t: TerminalRow, token: TerminalTokenRow, code: PairingCodeRow): Promise<void> {
      db
        .transaction(() => {
          q.insertTerminal.run({ ...t, role: t.role ?? 'till', shop_id: t.shop_id ?? DEFAULT_SHOP_ID });
          q.insertToken.run(token);
          q.insertPairing.run(code);
        })
        .immediate();
    },

    async terminal(id: string): Promise<TerminalRow | undefined> {
      const r = q.terminal.get(id) as DbRow | undefined;
      return r && terminalFromDb(r);
    },

    async terminalByTokenHash(tokenHash: string): Promise<TerminalRow | undefined> {
      const r = q.terminalByToken.get(tokenHash) as DbRow | undefined;
      return r && terminalFromDb(r);
    },

    async terminalWithShiftByTokenHash(tokenHash: string): Promise<{ terminal: TerminalRow; shift: ShiftStatus } | undefined> {
      const r = q.terminalWithShift.get(tokenHash) as DbRow | undefined;
      if (!r) return undefined;
      let open;
      if (r.s_id !== null) {
        const shift: DbRow = {};
        for (const c of SHIFT_COLUMNS) shift[c] = r[`s_${c}`] ?? null;
        open = shiftFromDb(shift);
      }
      return { terminal: terminalFromDb(r), shift: { open, hasCashiers: r.has_cashiers === 1 } };
    },

    async listTerminals(shopId?: string): Promise<TerminalRow[]> {
      return ((shopId === undefined ? q.terminals.all() : q.shopTerminals.all(shopId)) as DbRow[]).map(terminalFromDb);
    },

    async rotateTerminal(terminalId: string, token: TerminalTokenRow, code: PairingCodeRow): Promise<boolean> {
      return db
        .transaction(() => {
          if (!q.terminal.get(terminalId)) return false;
          q.revokeTokens.run(terminalId);
          q.dropUnusedCodes.run(terminalId);
          q.setPaired.run(null, terminalId);
          q.insertToken.run(token);
          q.insertPairing.run(code);
          return true;
        })
        .immediate();
    },

    async redeemPairingCode(codeHash: string, now: number, token: Omit<TerminalTokenRow, 'terminal_id'>): Promise<TerminalRow | undefined> {
      return db
        .transaction(() => {
          const terminalId = q.consumePairing.get(now, codeHash, now) as string | undefined;
          if (terminalId === undefined) return undefined;
          q.insertToken.run({ ...token, terminal_id: terminalId });
          q.setPaired.run(now, terminalId);
          const r = q.terminal.get(terminalId) as DbRow | undefined;
          return r && terminalFromDb(r);
        })
        .immediate();
    },

    async revokeTokens(terminalId: string): Promise<number> {
      return db
        .transaction(() => {
          const revoked = q.revokeTokens.run(terminalId).changes;
          q.setPaired.run(null, terminalId);
          return revoked;
        })
        .immediate();
    },

    async removeTerminal(terminalId: string): Promise<boolean> {
      return db
        .transaction(() => {
          q.revokeTokens.run(terminalId);
          q.dropAllCodes.run(terminalId);
          return q.deleteTerminal.run(terminalId).changes === 1;
        })
        .immediate();
    },
  };
}
