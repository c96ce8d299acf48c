import { DEFAULT_SHOP_ID, shopOf, type PairingCodeRow, type ShopRow, type TerminalRow, type TerminalTokenRow } from '../../../server/store/types.ts';
import type { TerminalStore } from '../../../server/terminals/registry.ts';

/** The terminal half of the Store in memory, with the same one-time semantics, for unit tests. */
export function memoryTerminalStore(): TerminalStore & { tokens: Map<string, TerminalTokenRow> } {
  const terminals = new Map<string, TerminalRow>();
  const tokens = new Map<string, TerminalTokenRow>();
  const codes = new Map<string, PairingCodeRow & { used: boolean }>();
  const settings = new Map<string, string>();
  const shops = new Map<string, ShopRow>([[DEFAULT_SHOP_ID, { id: DEFAULT_SHOP_ID, name: null, time_zone: null, sub_mch_id: null, sub_appid: null, manager_pin_hash: null, created_at: 0 }]]);
  const revoke = (terminalId: string): number => {
    let count = 0;
    for (const [hash, t] of tokens) if (t.terminal_id === terminalId && tokens.delete(hash)) count++;
    return count;
  };
  return {
    tokens,
    async createTerminal(t, token, code) {
      if (terminals.has(t.id)) throw new Error('duplicate terminal id');
      terminals.set(t.id, { ...t });
      tokens.set(token.token_hash, { ...token });
      codes.set(code.code_hash, { ...code, used: false });
    },
    async terminal(id) {
      const t = terminals.get(id);
      return t && { ...t };
    },
    async terminalByTokenHash(hash) {
      const token = tokens.get(hash);
      const t = token && terminals.get(token.terminal_id);
      return t && { ...t };
    },
    // No shifts nor cashiers live here: a terminal of this store never has an open shift.
    async terminalWithShiftByTokenHash(hash) {
      const token = tokens.get(hash);
      const t = token && terminals.get(token.terminal_id);
      return t && { terminal: { ...t }, shift: { open: undefined, hasCashiers: false } };
    },
    async listTerminals(shopId) {
      return [...terminals.values()].filter((t) => shopId === undefined || shopOf(t) === shopId).map((t) => ({ ...t }));
    },
    async rotateTerminal(id, token, code) {
      const t = terminals.get(id);
      if (!t) return false;
      revoke(id);
      for (const [hash, c] of codes) if (c.terminal_id === id && !c.used) codes.delete(hash);
      t.paired_at = null;
      tokens.set(token.token_hash, { ...token });
      codes.set(code.code_hash, { ...code, used: false });
      return true;
    },
    async redeemPairingCode(hash, now, token) {
      const code = codes.get(hash);
      if (!code || code.used || code.expires_at <= now) return undefined;
      code.used = true;
      const t = terminals.get(code.terminal_id)!;
      tokens.set(token.token_hash, { ...token, terminal_id: t.id });
      t.paired_at = now;
      return { ...t };
    },
    async revokeTokens(id) {
      const t = terminals.get(id);
      if (t) t.paired_at = null;
      return revoke(id);
    },
    async removeTerminal(id) {
      revoke(id);
      for (const [hash, c] of codes) if (c.terminal_id === id) codes.delete(hash);
      return terminals.delete(id);
    },
    async setting(key) {
      return settings.get(key);
    },
    async setSetting(key, value) {
      settings.set(key, value);
    },
    async shop(id) {
      const s = shops.get(id);
      return s && { ...s };
    },
    async setShopPin(id, hash) {
      const s = shops.get(id);
      if (!s) return false;
      s.manager_pin_hash = hash;
      return true;
    },
  };
}
