/**
 * The slice of the WebHID API the scanner uses (TypeScript's DOM library does not ship WebHID).
 * Shapes follow https://wicg.github.io/webhid/; tests pass plain objects of these shapes.
 */
export interface HidReportItem {
  isRange?: boolean;
  usages?: number[];
  usageMinimum?: number;
  usageMaximum?: number;
  reportSize?: number;
  reportCount?: number;
}

export interface HidReportInfo {
  reportId?: number;
  items?: HidReportItem[];
}

export interface HidCollectionInfo {
  usagePage?: number;
  usage?: number;
  children?: HidCollectionInfo[];
  inputReports?: HidReportInfo[];
}

export interface HidInputReportEvent {
  device: HidDeviceLike;
  reportId: number;
  data: DataView;
}

export interface HidDeviceLike {
  opened: boolean;
  vendorId: number;
  productId: number;
  productName: string;
  collections: HidCollectionInfo[];
  open(): Promise<void>;
  close(): Promise<void>;
  addEventListener(type: 'inputreport', listener: (e: HidInputReportEvent) => void): void;
  removeEventListener(type: 'inputreport', listener: (e: HidInputReportEvent) => void): void;
}

export interface HidConnectionEvent {
  device: HidDeviceLike;
}

export interface HidLike {
  getDevices(): Promise<HidDeviceLike[]>;
  requestDevice(options: { filters: { usagePage?: number; usage?: number; vendorId?: number }[] }): Promise<HidDeviceLike[]>;
  addEventListener(type: 'connect' | 'disconnect', listener: (e: HidConnectionEvent) => void): void;
  removeEventListener(type: 'connect' | 'disconnect', listener: (e: HidConnectionEvent) => void): void;
}
