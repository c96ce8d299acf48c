import type { PairingCodeRow, TerminalRow } from '../../../server/store/types.ts';
import type { TerminalStore } from '../../../server/terminals/registry.ts';

/** The terminal half of the Store in memory, with the same one-time semantics, for unit tests. */
export function memoryTerminalStore(): TerminalStore {
  const terminals = new Map<string, TerminalRow>();
  const codes = new Map<string, PairingCodeRow>();
  const settings = new Map<string, string>();
  return {
    async createTerminal(t) {
      if (terminals.has(t.id)) throw new Error('duplicate terminal id');
      terminals.set(t.id, { ...t });
      return { ...t };
    },
    async terminal(id) {
      return terminals.get(id);
    },
    async terminalByTokenHash(hash) {
      return [...terminals.values()].find((t) => t.token_hash === hash);
    },
    async listTerminals() {
      return [...terminals.values()];
    },
    async replaceToken(id, hash) {
      const t = terminals.get(id);
      if (!t) return false;
      t.token_hash = hash;
      return true;
    },
    async createPairingCode(code) {
      codes.set(code.code_hash, { ...code });
    },
    async consumePairingCode(hash, now) {
      const code = codes.get(hash);
      codes.delete(hash);
      return code && code.expires_at > now ? code.terminal_id : undefined;
    },
    async setting(key) {
      return settings.get(key);
    },
    async setSetting(key, value) {
      settings.set(key, value);
    },
  };
}
