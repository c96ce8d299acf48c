import type { Writable } from 'node:stream';
import { maskCode } from '../shared/payment-code.ts';

/**
 * Structured logs a merchant can read: one JSON object per line, `{time, level, msg, ...fields}`.
 * Secrets never reach a line: fields named like a key, signature, token or PIN are replaced by
 * "[redacted]", payment codes are masked wherever they appear (a field named auth_code, or an
 * 18-digit WeChat code inside any text).
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  /** Lines below this level are dropped (default info). */
  level?: LogLevel;
  now?: () => Date;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEY = /^(?:key|api_?key|apikey|secret|.*_secret|sign|signature|token|.*_token|pin|manager_pin|password|passwd|authorization|cookie|.*_pem|key_pem|private_key)$/i;
const PAYMENT_CODE_KEY = /^auth_?code$/i;
const PAYMENT_CODE_IN_TEXT = /(?<!\d)1[0-5]\d{16}(?!\d)/g;
const REDACTED = '[redacted]';

/** Masks every WeChat payment code found in a text. */
export function maskCodesIn(text: string): string {
  // Most log text (ids, statuses, times) is shorter than a code: no regex run for it.
  return text.length < 18 ? text : text.replace(PAYMENT_CODE_IN_TEXT, (code) => maskCode(code));
}

type KeyKind = 'secret' | 'code' | 'plain';
/** Field names repeat on every line: each is classified once. */
const keyKinds = new Map<string, KeyKind>();
function keyKind(key: string): KeyKind {
  let kind = keyKinds.get(key);
  if (kind === undefined) {
    kind = SECRET_KEY.test(key) ? 'secret' : PAYMENT_CODE_KEY.test(key) ? 'code' : 'plain';
    if (keyKinds.size < 1024) keyKinds.set(key, kind);
  }
  return kind;
}

/** A log-safe copy of `value`: secrets redacted, payment codes masked, errors flattened. */
export function redact(value: unknown, key = '', depth = 0): unknown {
  const kind = key ? keyKind(key) : 'plain';
  if (kind === 'secret') return REDACTED;
  if (typeof value === 'string') {
    if (kind === 'code') return /^\d+$/.test(value) ? maskCode(value) : maskCodesIn(value);
    return maskCodesIn(value);
  }
  if (value === null || typeof value !== 'object') return typeof value === 'bigint' ? value.toString() : value;
  if (depth > 6) return '[deep]';
  if (value instanceof Error) return { name: value.name, message: maskCodesIn(value.message) };
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => redact(v, '', depth + 1));
  const out: Record<string, unknown> = {};
  for (const k in value) {
    if (!Object.hasOwn(value, k)) continue;
    const v = (value as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = redact(v, k, depth + 1);
  }
  return out;
}

export function createLogger(stream: Pick<Writable, 'write'> = process.stdout, options: LoggerOptions = {}): Logger {
  const threshold = ORDER[options.level ?? 'info'];
  const now = options.now ?? (() => new Date());
  const write = (level: LogLevel, msg: string, fields?: LogFields): void => {
    if (ORDER[level] < threshold) return;
    // time/level/msg come first and a field of the same name never overwrites them.
    const line: Record<string, unknown> = { time: now().toISOString(), level, msg: maskCodesIn(msg) };
    if (fields) {
      const safe = redact(fields) as Record<string, unknown>;
      for (const k in safe) if (!(k in line)) line[k] = safe[k];
    }
    stream.write(JSON.stringify(line) + '\n');
  };
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  };
}

/** A logger that keeps nothing (tests that do not look at logs). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
