/**
 * The typed calls of cashiers, shifts, exports and the report (README "Cashiers and shifts",
 * "Exports", "The owner's report"), loaded with the screens that use them.
 */
import type { Cashier, CurrentShift, Report, ReportPeriod, ShiftReport } from '../../../shared/shop-day.ts';
import type { Api } from './api.ts';

const pinHeader = (pin?: string): Record<string, string> | undefined => (pin ? { 'X-Manager-Pin': pin } : undefined);
const q = encodeURIComponent;

export const shopDayApi = (api: Api) => ({
  currentShift: () => api.call<CurrentShift>('GET', '/api/shifts/current'),
  openShift: (cashierPin: string) => api.call<ShiftReport>('POST', '/api/shifts', { cashier_pin: cashierPin }),
  closeShift: (id: string, managerPin?: string) => api.call<ShiftReport>('POST', `/api/shifts/${q(id)}/close`, undefined, pinHeader(managerPin)),
  shifts: (date: string) => api.call<{ date: string; shifts: ShiftReport[] }>('GET', `/api/shifts?date=${q(date)}`),
  cashiers: (managerPin: string) => api.call<{ cashiers: Cashier[] }>('GET', '/api/cashiers', undefined, pinHeader(managerPin)),
  addCashier: (managerPin: string, name: string, pin: string) => api.call<Cashier>('POST', '/api/cashiers', { name, pin }, pinHeader(managerPin)),
  removeCashier: (managerPin: string, id: string) => api.call<{ ok: true }>('DELETE', `/api/cashiers/${q(id)}`, undefined, pinHeader(managerPin)),
  report: (period: ReportPeriod, date: string, managerPin?: string) => api.call<Report>('GET', `/api/report?period=${period}&date=${q(date)}`, undefined, pinHeader(managerPin)),
  exportCsv: (kind: 'payments' | 'refunds', from: string, to: string, lang: string, managerPin: string) =>
    api.download(`/api/exports/${kind}.csv?from=${q(from)}&to=${q(to)}&lang=${q(lang)}`, pinHeader(managerPin)),
});

export type ShopDayApi = ReturnType<typeof shopDayApi>;
