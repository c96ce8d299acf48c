import { describe, expect, it } from 'vitest';
import { Api } from '../../web/src/lib/api.ts';
import { Session } from '../../web/src/lib/session.svelte.ts';
import { KEYS } from '../../web/src/lib/local-store.ts';
import { MemoryStorage } from './support/fake-server.ts';

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status });

describe('Session', () => {
  it('keeps the token and terminal from a successful pairing and sends the token afterwards', async () => {
    const storage = new MemoryStorage();
    const session = new Session(storage);
    const seen: (string | undefined)[] = [];
    const api = new Api({
      token: session.tokenGetter,
      fetch: async (url, init) => {
        seen.push((init?.headers as Record<string, string>).Authorization);
        return url === '/api/pair' ? json(200, { token: 'tok-1', terminal: { id: 't1', name: 'Till 1' } }) : json(200, { ok: true, mode: 'simulator' });
      },
    });
    expect(session.paired).toBe(false);
    expect(await session.pair(api, '  code-123 ')).toBe(true);
    expect(session.terminal?.name).toBe('Till 1');
    expect(storage.getItem(KEYS.token)).toBe('tok-1');
    await api.health();
    expect(seen).toEqual([undefined, 'Bearer tok-1']);
    expect(new Session(storage).paired).toBe(true);
  });

  it('keeps the failure of a refused pairing and stays unpaired', async () => {
    const session = new Session(new MemoryStorage());
    const api = new Api({ token: session.tokenGetter, fetch: async () => json(400, { error: { code: 'INVALID_PAIRING_CODE', message: 'no' } }) });
    expect(await session.pair(api, 'bad')).toBe(false);
    expect(session.paired).toBe(false);
    expect(session.error).toMatchObject({ code: 'INVALID_PAIRING_CODE' });
  });

  it('takes the shop time zone from the server and forgets everything on unpair', () => {
    const storage = new MemoryStorage();
    storage.setItem(KEYS.token, 'tok');
    const session = new Session(storage);
    session.remember({ terminal: { id: 't', name: 'Front' }, mode: 'simulator', time_zone: 'Asia/Hong_Kong', max_amount_fen: 1, pin_configured: true });
    expect(session.timeZone).toBe('Asia/Hong_Kong');
    session.unpair();
    expect(session.paired).toBe(false);
    expect(storage.map.size).toBe(0);
  });

  it('remembers whether it is the owner’s read-only link across a reload, and forgets it on unpairing', () => {
    const storage = new MemoryStorage();
    const session = new Session(storage);
    expect(session.role).toBe('till');
    session.remember({ terminal: { id: 't9', name: 'Boss phone' }, role: 'owner', mode: 'simulator', time_zone: 'Asia/Shanghai', max_amount_fen: 1, pin_configured: true });
    expect(session.role).toBe('owner');
    const reloaded = new Session(storage);
    expect(reloaded.role).toBe('owner');
    expect(reloaded.terminal).toEqual({ id: 't9', name: 'Boss phone' });
    reloaded.unpair();
    expect(reloaded.role).toBe('till');
    session.remember({ terminal: { id: 't1', name: 'Till' }, mode: 'simulator', time_zone: 'Asia/Shanghai', max_amount_fen: 1, pin_configured: true });
    expect(session.role).toBe('till');
  });
});
