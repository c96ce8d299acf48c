import { DEFAULT_SHOP_ID, type PairingCodeRow, type ShiftStatus, type TerminalRow, type TerminalTokenRow } from '../types.ts';
import { shiftFromDb } from './shifts.ts';
import type { PgContext } from './context.ts';
import type { Row } from './rows.ts';

const TERMINAL_COLUMNS = 't.id, t.name, t.created_at, t.paired_at, t.role, t.shop_id';
// role and shop are left out for a till of the default shop, so its row reads as it always did.
const terminalFromDb = (r: Row): TerminalRow => ({
  id: r.id,
  name: r.name,
  created_at: r.created_at,
  paired_at: r.paired_at,
  ...(r.role === 'owner' || r.role === 'operator' ? { role: r.role } : {}),
  ...(r.shop_id !== DEFAULT_SHOP_ID ? { shop_id: r.shop_id } : {}),
});

/** Terminals with their tokens and pairing codes (server/terminals/). */
export function pgTerminals(ctx: PgContext) {
  const { sql } = ctx;

  return {
    async createTerminal(t: TerminalRow, token: TerminalTokenRow, code: PairingCodeRow): Promise<void> {
      await sql.begin(async (tx) => {
        await tx`INSERT INTO terminals (id, name, created_at, paired_at, role, shop_id)
                 VALUES (${t.id}, ${t.name}, ${t.created_at}, ${t.paired_at}, ${t.role ?? 'till'}, ${t.shop_id ?? DEFAULT_SHOP_ID})`;
        await tx`INSERT INTO terminal_tokens (token_hash, terminal_id, created_at) VALUES (${token.token_hash}, ${token.terminal_id}, ${token.created_at})`;
        await tx`INSERT INTO pairing_codes (code_hash, terminal_id, expires_at) VALUES (${code.code_hash}, ${code.terminal_id}, ${code.expires_at})`;
      });
    },

    async terminal(id: string): Promise<TerminalRow | undefined> {
      const [r] = await sql`SELECT ${sql.unsafe(TERMINAL_COLUMNS)} FROM terminals t WHERE t.id = ${id}`;
      return r && terminalFromDb(r);
    },

    async terminalByTokenHash(tokenHash: string): Promise<TerminalRow | undefined> {
      const [r] = await sql`
        SELECT ${sql.unsafe(TERMINAL_COLUMNS)} FROM terminal_tokens k JOIN terminals t ON t.id = k.terminal_id WHERE k.token_hash = ${tokenHash}`;
      return r && terminalFromDb(r);
    },

    async terminalWithShiftByTokenHash(tokenHash: string): Promise<{ terminal: TerminalRow; shift: ShiftStatus } | undefined> {
      // The shift's columns prefixed (its id, shop_id… would hide the terminal's).
      const [r] = await sql`
        SELECT ${sql.unsafe(TERMINAL_COLUMNS)}, s.id AS s_id, s.terminal_id AS s_terminal_id, s.shop_id AS s_shop_id, s.cashier_id AS s_cashier_id,
               s.cashier_name AS s_cashier_name, s.opened_at AS s_opened_at, s.closed_at AS s_closed_at, s.closed_by AS s_closed_by,
               EXISTS (SELECT 1 FROM cashiers c WHERE c.removed_at IS NULL AND c.shop_id = t.shop_id) AS has_cashiers
        FROM terminal_tokens k JOIN terminals t ON t.id = k.terminal_id
        LEFT JOIN shifts s ON s.terminal_id = t.id AND s.closed_at IS NULL
        WHERE k.token_hash = ${tokenHash}`;
      if (!r) return undefined;
      const open =
        r.s_id === null
          ? undefined
          : shiftFromDb({
              id: r.s_id, terminal_id: r.s_terminal_id, shop_id: r.s_shop_id, cashier_id: r.s_cashier_id,
              cashier_name: r.s_cashier_name, opened_at: r.s_opened_at, closed_at: r.s_closed_at, closed_by: r.s_closed_by,
            });
      return { terminal: terminalFromDb(r), shift: { open, hasCashiers: r.has_cashiers === true } };
    },

    async listTerminals(shopId?: string): Promise<TerminalRow[]> {
      const rows = await sql`
        SELECT ${sql.unsafe(TERMINAL_COLUMNS)} FROM terminals t ${shopId === undefined ? sql`` : sql`WHERE t.shop_id = ${shopId}`} ORDER BY t.created_at, t.id`;
      return rows.map(terminalFromDb);
    },

    async rotateTerminal(terminalId: string, token: TerminalTokenRow, code: PairingCodeRow): Promise<boolean> {
      return sql.begin(async (tx) => {
        // The terminal's row lock makes rotations, redemptions and removals of one terminal take turns.
        const [t] = await tx`UPDATE terminals SET paired_at = NULL WHERE id = ${terminalId} RETURNING id`;
        if (!t) return false;
        await tx`DELETE FROM terminal_tokens WHERE terminal_id = ${terminalId}`;
        await tx`DELETE FROM pairing_codes WHERE terminal_id = ${terminalId} AND used_at IS NULL`;
        await tx`INSERT INTO terminal_tokens (token_hash, terminal_id, created_at) VALUES (${token.token_hash}, ${token.terminal_id}, ${token.created_at})`;
        await tx`INSERT INTO pairing_codes (code_hash, terminal_id, expires_at) VALUES (${code.code_hash}, ${code.terminal_id}, ${code.expires_at})`;
        return true;
      });
    },

    async redeemPairingCode(codeHash: string, now: number, token: Omit<TerminalTokenRow, 'terminal_id'>): Promise<TerminalRow | undefined> {
      return sql.begin(async (tx) => {
        const [used] = await tx`
          UPDATE pairing_codes SET used_at = ${now} WHERE code_hash = ${codeHash} AND used_at IS NULL AND expires_at > ${now} RETURNING terminal_id`;
        if (!used) return undefined;
        const terminalId = used.terminal_id as string;
        await tx`INSERT INTO terminal_tokens (token_hash, terminal_id, created_at) VALUES (${token.token_hash}, ${terminalId}, ${token.created_at})`;
        const [t] = await tx`UPDATE terminals t SET paired_at = ${now} WHERE t.id = ${terminalId} RETURNING ${tx.unsafe(TERMINAL_COLUMNS)}`;
        return t && terminalFromDb(t);
      });
    },

    async revokeTokens(terminalId: string): Promise<number> {
      return sql.begin(async (tx) => {
        const revoked = (await tx`DELETE FROM terminal_tokens WHERE terminal_id = ${terminalId}`).count;
        await tx`UPDATE terminals SET paired_at = NULL WHERE id = ${terminalId}`;
        return revoked;
      });
    },

    async removeTerminal(terminalId: string): Promise<boolean> {
      return sql.begin(async (tx) => {
        await tx`DELETE FROM terminal_tokens WHERE terminal_id = ${terminalId}`;
        await tx`DELETE FROM pairing_codes WHERE terminal_id = ${terminalId}`;
        return (await tx`DELETE FROM terminals WHERE id = ${terminalId}`).count === 1;
      });
    },
  };
}
