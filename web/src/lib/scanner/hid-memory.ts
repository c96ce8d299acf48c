/**
 * What the app has learnt about each HID scanner model across sessions. WebHID exposes no serial
 * number, but Chrome keeps a device's permission across replugs only when it has one. So the answer
 * is observed: a device that comes back by itself (a `connect` event after a `disconnect`) has a
 * serial number; one that had to be chosen again in the pairing dialog after being unplugged has none.
 */
export type SerialKnowledge = 'present' | 'absent' | 'unknown';

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

interface Entry {
  serial: SerialKnowledge;
  /** Unplugged and not yet back: the next return tells us which kind it is. */
  awaitingReturn: boolean;
}

const PREFIX = 'micropay.scanner.hid.';

export class DeviceMemory {
  #store: KeyValueStore | undefined;
  #cache = new Map<string, Entry>();

  constructor(store?: KeyValueStore) {
    this.#store = store;
  }

  serial(id: string): SerialKnowledge {
    return this.#get(id).serial;
  }

  disconnected(id: string): void {
    this.#set(id, { ...this.#get(id), awaitingReturn: true });
  }

  /** The device reappeared without the pairing dialog: Chrome stored its permission by serial number. */
  cameBackByItself(id: string): void {
    const e = this.#get(id);
    this.#set(id, { serial: e.awaitingReturn ? 'present' : e.serial, awaitingReturn: false });
  }

  /** The device was chosen in the pairing dialog. After an unplug, that means it has no serial number. */
  paired(id: string): void {
    const e = this.#get(id);
    this.#set(id, { serial: e.awaitingReturn ? 'absent' : e.serial, awaitingReturn: false });
  }

  #get(id: string): Entry {
    const cached = this.#cache.get(id);
    if (cached) return cached;
    let entry: Entry = { serial: 'unknown', awaitingReturn: false };
    try {
      const raw = this.#store?.getItem(PREFIX + id);
      if (raw) {
        const parsed = JSON.parse(raw) as Partial<Entry>;
        if (parsed.serial === 'present' || parsed.serial === 'absent') entry = { serial: parsed.serial, awaitingReturn: parsed.awaitingReturn === true };
        else entry = { serial: 'unknown', awaitingReturn: parsed.awaitingReturn === true };
      }
    } catch {
      // Unreadable storage (private mode, corrupt value): start from what this session observes.
    }
    this.#cache.set(id, entry);
    return entry;
  }

  #set(id: string, entry: Entry): void {
    this.#cache.set(id, entry);
    try {
      this.#store?.setItem(PREFIX + id, JSON.stringify(entry));
    } catch {
      // Storage full or blocked: knowledge lasts for this session only.
    }
  }
}
