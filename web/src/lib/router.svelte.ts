/**
 * A tiny hash router: `#/`, `#/history`, `#/history/<id>`, `#/settings`, `#/settings/diagnostics`,
 * `#/report`, `#/shift`, `#/reconciliation`, `#/pair`, `#/pair/<code>`. Hash routes keep the server's static serving trivial and work offline.
 */
export type Route =
  | { name: 'checkout' }
  | { name: 'history' }
  | { name: 'payment'; id: string }
  | { name: 'settings' }
  | { name: 'diagnostics' }
  | { name: 'report' }
  | { name: 'shift' }
  | { name: 'reconciliation' }
  | { name: 'pair'; code?: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [head, arg] = parts;
  switch (head) {
    case 'history':
      return arg ? { name: 'payment', id: arg } : { name: 'history' };
    case 'settings':
      return arg === 'diagnostics' ? { name: 'diagnostics' } : { name: 'settings' };
    case 'pair':
      return arg ? { name: 'pair', code: arg } : { name: 'pair' };
    case 'report':
    case 'shift':
    case 'reconciliation':
      return { name: head };
    default:
      return { name: 'checkout' };
  }
}

export function href(route: Route): string {
  switch (route.name) {
    case 'checkout': return '#/';
    case 'history': return '#/history';
    case 'payment': return `#/history/${encodeURIComponent(route.id)}`;
    case 'settings': return '#/settings';
    case 'diagnostics': return '#/settings/diagnostics';
    case 'report': return '#/report';
    case 'shift': return '#/shift';
    case 'reconciliation': return '#/reconciliation';
    case 'pair': return route.code ? `#/pair/${encodeURIComponent(route.code)}` : '#/pair';
  }
}

class Router {
  #route = $state.raw<Route>(parseRoute(globalThis.location?.hash ?? ''));

  constructor() {
    globalThis.addEventListener?.('hashchange', () => (this.#route = parseRoute(location.hash)));
  }

  get route(): Route { return this.#route; }

  go(route: Route, replace = false): void {
    const target = href(route);
    if (replace) history.replaceState(null, '', target);
    else location.hash = target;
    this.#route = route;
  }
}

export const router = new Router();
