/**
 * The slice of the WebUSB API the printer uses (TypeScript's DOM library does not ship WebUSB).
 * Shapes follow https://wicg.github.io/webusb/; tests pass plain objects of these shapes.
 */
export interface UsbEndpointLike {
  endpointNumber: number;
  direction: 'in' | 'out';
  type: 'bulk' | 'interrupt' | 'isochronous';
  packetSize?: number;
}

export interface UsbAlternateLike {
  alternateSetting: number;
  interfaceClass: number;
  interfaceSubclass?: number;
  interfaceProtocol?: number;
  endpoints: UsbEndpointLike[];
}

export interface UsbInterfaceLike {
  interfaceNumber: number;
  alternates: UsbAlternateLike[];
}

export interface UsbConfigurationLike {
  configurationValue: number;
  interfaces: UsbInterfaceLike[];
}

export interface UsbOutTransferResult {
  status: 'ok' | 'stall' | 'babble';
  bytesWritten: number;
}

export interface UsbDeviceLike {
  vendorId: number;
  productId: number;
  productName?: string;
  manufacturerName?: string;
  serialNumber?: string;
  opened: boolean;
  configuration: UsbConfigurationLike | null;
  configurations: UsbConfigurationLike[];
  open(): Promise<void>;
  close(): Promise<void>;
  selectConfiguration(value: number): Promise<void>;
  claimInterface(interfaceNumber: number): Promise<void>;
  releaseInterface(interfaceNumber: number): Promise<void>;
  selectAlternateInterface(interfaceNumber: number, alternateSetting: number): Promise<void>;
  transferOut(endpointNumber: number, data: Uint8Array): Promise<UsbOutTransferResult>;
  clearHalt?(direction: 'in' | 'out', endpointNumber: number): Promise<void>;
  /** Chrome 101+: gives up the site's permission for this device. */
  forget?(): Promise<void>;
}

export interface UsbConnectionEvent {
  device: UsbDeviceLike;
}

export interface UsbLike {
  getDevices(): Promise<UsbDeviceLike[]>;
  requestDevice(options: { filters: { classCode?: number; vendorId?: number }[] }): Promise<UsbDeviceLike>;
  addEventListener(type: 'connect' | 'disconnect', listener: (e: UsbConnectionEvent) => void): void;
  removeEventListener(type: 'connect' | 'disconnect', listener: (e: UsbConnectionEvent) => void): void;
}
