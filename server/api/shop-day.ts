import { Hono } from 'hono';
import { cashierRoutes } from './cashiers.ts';
import type { ApiDeps, ApiEnv, ShopDayOf } from './context.ts';
import { exportRoutes } from './exports.ts';
import type { ManagerPinGuard } from './manager-pin.ts';
import { reportRoutes } from './reports.ts';
import { shiftRoutes } from './shifts.ts';

/** The shop's day under /api: cashiers, shifts, exports and the owner's report, each of the terminal's shop. */
export function shopDayRoutes(deps: ApiDeps, shop: ShopDayOf, pin: ManagerPinGuard) {
  return new Hono<ApiEnv>()
    .route('/cashiers', cashierRoutes(deps, shop, pin))
    .route('/shifts', shiftRoutes(deps, shop, pin))
    .route('/exports', exportRoutes(deps, shop, pin))
    .route('/report', reportRoutes(deps, shop, pin));
}
