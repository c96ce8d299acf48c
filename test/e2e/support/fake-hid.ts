/**
 * A fake `navigator.hid` for Chromium (page.addInitScript): one Honeywell scanner in HID POS mode
 * that the page already has permission for (the getDevices() reconnect path), and
 * `window.__hidScan(code)` which sends the code as real Honeywell input reports (web/src/lib/scanner/hid-report.ts:
 * report id 2, byte 0 length ≤ 56, bytes 1–3 AIM id, data from byte 4, vendor bytes 60–61,
 * byte 62 bit 0 = more reports follow), split over several reports.
 */
export const FAKE_HID_SCRIPT = `(() => {
  const device = {
    opened: false,
    vendorId: 0x0c2e,
    productId: 0x0b61,
    productName: 'Honeywell Voyager 1602g',
    collections: [{ usagePage: 0x8c, usage: 0x02, inputReports: [{ reportId: 2, items: [] }], children: [] }],
    listeners: [],
    async open() { this.opened = true; },
    async close() { this.opened = false; },
    addEventListener(type, l) { if (type === 'inputreport') this.listeners.push(l); },
    removeEventListener(type, l) { this.listeners = this.listeners.filter((x) => x !== l); },
  };
  const hid = {
    requested: 0,
    async getDevices() { return [device]; },
    async requestDevice() { this.requested++; return [device]; },
    addEventListener() {},
    removeEventListener() {},
  };
  Object.defineProperty(Navigator.prototype, 'hid', { get: () => hid, configurable: true });
  window.__hidScan = (code, perReport = 10, aim = ']C0') => {
    const bytes = Array.from(new TextEncoder().encode(code));
    for (let i = 0; i < bytes.length; i += perReport) {
      const chunk = bytes.slice(i, i + perReport);
      const data = new Uint8Array(63);
      data[0] = chunk.length;
      data.set(Array.from(aim, (c) => c.charCodeAt(0)), 1);
      data.set(chunk, 4);
      data[60] = 0x6a; // Honeywell code id 'j' = Code 128
      data[62] = i + perReport < bytes.length ? 1 : 0;
      for (const l of device.listeners) l({ device, reportId: 2, data: new DataView(data.buffer) });
    }
  };
})();`;
