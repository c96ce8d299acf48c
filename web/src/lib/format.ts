/**
 * Dates and times as the cashier reads them, in the shop's time zone and the chosen language.
 * Intl formatters are costly to build (a list of sales builds many): one per zone, language and style.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(lang: 'zh' | 'en', timeZone: string, style: 'time' | 'dateTime'): Intl.DateTimeFormat {
  const key = `${lang} ${timeZone} ${style}`;
  let f = formatters.get(key);
  if (!f) {
    const locale = lang === 'zh' ? 'zh-CN' : 'en-GB';
    f = new Intl.DateTimeFormat(
      locale,
      style === 'time'
        ? { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }
        : { timeZone, dateStyle: 'medium', timeStyle: 'medium', hour12: false },
    );
    formatters.set(key, f);
  }
  return f;
}

function format(iso: string, lang: 'zh' | 'en', timeZone: string, style: 'time' | 'dateTime'): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : formatter(lang, timeZone, style).format(d);
}

export const formatTime = (iso: string, lang: 'zh' | 'en', timeZone: string): string => format(iso, lang, timeZone, 'time');
export const formatDateTime = (iso: string, lang: 'zh' | 'en', timeZone: string): string => format(iso, lang, timeZone, 'dateTime');
