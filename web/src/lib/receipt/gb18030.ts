/**
 * GB18030, the encoding Chinese receipt printers read (GBK is its two-byte part), from
 * @kayahr/text-encoding's WHATWG encoder with only this one table registered. The table is most of
 * the printer chunk's weight, so this module is imported dynamically when a USB print starts.
 */
import { TextEncoder } from '@kayahr/text-encoding/no-encodings';
import '@kayahr/text-encoding/encodings/gb18030';

const encoder = new TextEncoder('gb18030');

export const encodeGb18030 = (text: string): Uint8Array => encoder.encode(text);
