/**
 * A fake `navigator.usb` for Chromium (page.addInitScript): one USB receipt printer as Chrome
 * describes a real one (a vendor interface, then a printer-class 0x07 interface with bulk IN and
 * OUT endpoints). The picker (requestDevice) hands it out only for a printer-class filter, as
 * Chrome's chooser would list it; getDevices() returns it once permitted, and it stays permitted
 * across reloads of the tab (sessionStorage), as Chrome keeps the site's permission.
 * Everything written to the bulk OUT endpoint is kept in `window.__usbWritten` (byte values);
 * `window.__usbUnplug()` takes the printer away.
 */
export const FAKE_USB_SCRIPT = `(() => {
  const granted = () => sessionStorage.getItem('fake-usb-granted') === '1';
  const printerInterface = { interfaceNumber: 1, claimed: false, alternate: null, alternates: [{
    alternateSetting: 0, interfaceClass: 7, interfaceSubclass: 1, interfaceProtocol: 2, interfaceName: 'Printer',
    endpoints: [{ endpointNumber: 1, direction: 'in', type: 'bulk', packetSize: 64 }, { endpointNumber: 2, direction: 'out', type: 'bulk', packetSize: 64 }],
  }] };
  const vendorInterface = { interfaceNumber: 0, claimed: false, alternate: null, alternates: [{
    alternateSetting: 0, interfaceClass: 0xff, interfaceSubclass: 0, interfaceProtocol: 0, endpoints: [{ endpointNumber: 3, direction: 'out', type: 'bulk', packetSize: 64 }],
  }] };
  const configuration = { configurationValue: 1, configurationName: null, interfaces: [vendorInterface, printerInterface] };
  window.__usbWritten = [];
  window.__usbCalls = [];
  let plugged = true;
  const device = {
    vendorId: 0x0416, productId: 0x5011, manufacturerName: 'Winbond', productName: 'POS-58 Thermal Printer', serialNumber: 'FAKE0001',
    deviceClass: 0, opened: false, configuration: null, configurations: [configuration],
    async open() { if (!plugged) throw new DOMException('The device was disconnected.', 'NotFoundError'); window.__usbCalls.push('open'); this.opened = true; },
    async close() { window.__usbCalls.push('close'); this.opened = false; printerInterface.claimed = false; },
    async selectConfiguration(v) { if (!this.opened) throw new DOMException('The device must be opened first.', 'InvalidStateError'); this.configuration = configuration; window.__usbCalls.push('selectConfiguration ' + v); },
    async claimInterface(n) {
      if (!this.configuration) throw new DOMException('No configuration', 'InvalidStateError');
      window.__usbCalls.push('claimInterface ' + n);
      configuration.interfaces[n].claimed = true;
    },
    async releaseInterface(n) { window.__usbCalls.push('releaseInterface ' + n); configuration.interfaces[n].claimed = false; },
    async selectAlternateInterface() {},
    async clearHalt() {},
    async forget() { sessionStorage.removeItem('fake-usb-granted'); window.__usbCalls.push('forget'); },
    async transferOut(endpoint, data) {
      if (!plugged) throw new DOMException('The device was disconnected.', 'NotFoundError');
      if (endpoint !== 2 || !printerInterface.claimed) throw new DOMException('The specified endpoint is not part of a claimed and selected alternate interface.', 'NotFoundError');
      const view = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
      for (const b of view) window.__usbWritten.push(b);
      window.__usbCalls.push('transferOut ' + endpoint + ' ' + view.length);
      return { status: 'ok', bytesWritten: view.length };
    },
  };
  const listeners = { connect: new Set(), disconnect: new Set() };
  const usb = {
    async getDevices() { return plugged && granted() ? [device] : []; },
    async requestDevice(options) {
      const matches = (options?.filters ?? []).some((f) => f.classCode === 7 || f.vendorId === device.vendorId);
      if (!plugged || !matches) throw new DOMException('No device selected.', 'NotFoundError');
      sessionStorage.setItem('fake-usb-granted', '1');
      return device;
    },
    addEventListener(type, l) { listeners[type]?.add(l); },
    removeEventListener(type, l) { listeners[type]?.delete(l); },
  };
  Object.defineProperty(Navigator.prototype, 'usb', { get: () => usb, configurable: true });
  window.__usbUnplug = () => { plugged = false; for (const l of listeners.disconnect) l({ device }); };
})();`;
