import { describe, expect, it } from 'vitest';
import { href, parseRoute, type Route } from '../../web/src/lib/router.svelte.ts';

describe('hash router', () => {
  it.each<[string, Route]>([
    ['', { name: 'checkout' }],
    ['#/', { name: 'checkout' }],
    ['#/history', { name: 'history' }],
    ['#/history/p%201', { name: 'payment', id: 'p 1' }],
    ['#/settings', { name: 'settings' }],
    ['#/settings/diagnostics', { name: 'diagnostics' }],
    ['#/pair', { name: 'pair' }],
    ['#/pair/Ab3-9x', { name: 'pair', code: 'Ab3-9x' }],
    ['#/report', { name: 'report' }],
    ['#/shift', { name: 'shift' }],
    ['#/reconciliation', { name: 'reconciliation' }],
    ['#/nonsense', { name: 'checkout' }],
  ])('reads %s', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
  });

  it('writes every route so that reading it back gives the same route', () => {
    const routes: Route[] = [{ name: 'checkout' }, { name: 'history' }, { name: 'payment', id: 'p/2' }, { name: 'settings' }, { name: 'diagnostics' }, { name: 'pair', code: 'x' }, { name: 'report' }, { name: 'shift' }, { name: 'reconciliation' }];
    for (const route of routes) expect(parseRoute(href(route))).toEqual(route);
  });
});
