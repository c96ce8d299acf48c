import type { Context } from 'hono';

/** 127.0.0.0/8, ::1 and their IPv4-mapped form: this machine. */
export function isLoopbackAddress(address: string): boolean {
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4) || address === '::1';
}

/**
 * The peer of a request served over a socket; undefined for a request made in process
 * (`app.request` in tests, the built-in simulator's loopback app), which never crossed a network.
 * Forwarded headers are ignored on purpose: anyone can send them, and the POS is served directly.
 */
export function peerAddress(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } }; server?: { incoming?: { socket?: { remoteAddress?: string } } } } | undefined;
  const incoming = env?.server?.incoming ?? env?.incoming;
  if (!incoming) return undefined;
  return incoming.socket?.remoteAddress ?? 'unknown';
}

/** Whether the request comes from this machine (or from inside this process). */
export function fromThisMachine(c: Context): boolean {
  const address = peerAddress(c);
  return address === undefined || isLoopbackAddress(address);
}
