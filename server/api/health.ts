import { Hono } from 'hono';
import type { ApiDeps, ApiEnv } from './context.ts';

export function healthRoutes(deps: ApiDeps) {
  return new Hono<ApiEnv>().get('/', (c) => c.json({ ok: true, mode: deps.mode }));
}
