import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * WeChat Pay v2 bodies: a flat `<xml>` whose children are all text. Every value stays a string
 * (18-digit codes, leading zeros), CDATA and plain values both read, no DOCTYPE or entities.
 */
export type XmlFields = Record<string, string>;

export const MAX_XML_BYTES = 64 * 1024;

export class XmlError extends Error {
  override readonly name = 'XmlError';
}

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// Characters XML 1.0 cannot carry at all, even in CDATA (controls, lone surrogates, U+FFFE/F).
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** Whether every character of `text` can travel in a WeChat request (XML 1.0 text). */
export function isXmlText(text: string): boolean {
  return !NOT_XML_CHAR.test(text);
}

/**
 * Serialises fields in CDATA, the way WeChat and its official SDKs do. Written by hand rather
 * than with XMLBuilder because a value containing `]]>` must be split across CDATA sections,
 * and `\r` must survive the parser's line-end normalisation, neither of which XMLBuilder does.
 */
export function toXml(fields: Readonly<Record<string, string | number | undefined>>): string {
  let out = '<xml>';
  for (const name in fields) {
    const raw = fields[name];
    if (raw === undefined) continue;
    if (!FIELD_NAME.test(name) || name in Object.prototype) throw new XmlError(`field name "${name}" is not a valid WeChat field name`);
    const value = typeof raw === 'string' ? raw : String(raw);
    if (NOT_XML_CHAR.test(value)) {
      throw new XmlError(`field "${name}" holds a character XML 1.0 cannot carry (a control character, a lone surrogate or U+FFFE/U+FFFF)`);
    }
    out += `<${name}>${cdata(value)}</${name}>`;
  }
  return out + '</xml>';
}

function cdata(value: string): string {
  if (value === '') return '';
  let body = value;
  if (body.includes(']]>')) body = body.replaceAll(']]>', ']]]]><![CDATA[>');
  if (body.includes('\r')) return body.split('\r').map((part) => (part ? `<![CDATA[${part}]]>` : '')).join('&#13;');
  return `<![CDATA[${body}]]>`;
}

const FORBIDDEN = /<!DOCTYPE|<!ENTITY/i;

/**
 * Parses a WeChat answer into string fields. Throws XmlError for anything that is not a
 * well-formed flat `<xml>` document within `maxBytes`: truncated text, DOCTYPE/entities,
 * nested elements, repeated fields, characters XML cannot carry.
 *
 * Two readers give the same result: a strict single-pass scanner for the flat form WeChat
 * actually sends (the hot path: about 5x faster than validating and parsing with fast-xml-parser),
 * and fast-xml-parser for everything else (comments, attributes, odd spacing, and every error
 * message). The scanner gives up on anything outside its narrow grammar instead of guessing;
 * test/server/wechat/xml.test.ts checks both agree on arbitrary documents.
 */
export function parseXml(text: string, maxBytes = MAX_XML_BYTES): XmlFields {
  if (text.length > maxBytes || (text.length * 3 > maxBytes && Buffer.byteLength(text, 'utf8') > maxBytes)) {
    throw new XmlError(`XML body larger than ${maxBytes} bytes`);
  }
  if (FORBIDDEN.test(text)) throw new XmlError('DOCTYPE and entity declarations are refused');
  if (NOT_XML_CHAR.test(text)) throw new XmlError('the XML holds a character XML 1.0 cannot carry');
  return scanFlatXml(text) ?? parseXmlWithLibrary(text);
}

// ---------------------------------------------------------------------------------------------
// Fast path: `[<?xml …?>] ws <xml> ( ws <name> (text | CDATA)* </name> )* ws </xml> ws`

const LT = 60; // <

function isSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 9;
}

function isNameChar(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95;
}

/** The flat document's fields, or undefined when the text is not in the narrow form (never throws). */
export function scanFlatXml(text: string): XmlFields | undefined {
  if (text.includes('\r')) return undefined; // line-end normalisation: leave it to the library
  let pos = 0;
  if (text.startsWith('<?xml', 0)) {
    const end = text.indexOf('?>', 5);
    if (end < 0 || text.lastIndexOf('<', end) !== 0) return undefined;
    pos = end + 2;
  }
  while (pos < text.length && isSpace(text.charCodeAt(pos))) pos++;
  if (!text.startsWith('<xml>', pos)) return undefined;
  pos += 5;

  const fields: XmlFields = {};
  for (;;) {
    while (pos < text.length && isSpace(text.charCodeAt(pos))) pos++;
    if (text.charCodeAt(pos) !== LT) return undefined;
    if (text.startsWith('</xml>', pos)) {
      pos += 6;
      while (pos < text.length && isSpace(text.charCodeAt(pos))) pos++;
      return pos === text.length ? fields : undefined;
    }
    // <name>
    const nameStart = pos + 1;
    let nameEnd = nameStart;
    while (nameEnd < text.length && isNameChar(text.charCodeAt(nameEnd))) nameEnd++;
    if (nameEnd === nameStart || text.charCodeAt(nameEnd) !== 62 /* > */) return undefined;
    const first = text.charCodeAt(nameStart);
    if (first >= 48 && first <= 57) return undefined;
    const name = text.slice(nameStart, nameEnd);
    if (name in fields || name in Object.prototype) return undefined;
    pos = nameEnd + 1;

    // (text | CDATA)* </name>
    let value = '';
    for (;;) {
      const lt = text.indexOf('<', pos);
      if (lt < 0) return undefined;
      if (lt > pos) {
        const run = decodeText(text, pos, lt);
        if (run === undefined) return undefined;
        value += run;
      }
      if (text.startsWith('<![CDATA[', lt)) {
        const end = text.indexOf(']]>', lt + 9);
        if (end < 0) return undefined;
        value += text.slice(lt + 9, end);
        pos = end + 3;
        continue;
      }
      if (text.charCodeAt(lt + 1) !== 47 /* / */ || !text.startsWith(name, lt + 2) || text.charCodeAt(lt + 2 + name.length) !== 62) {
        return undefined;
      }
      pos = lt + 3 + name.length;
      break;
    }
    fields[name] = value;
  }
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Character data between `start` and `end`, with the five XML entities and character references decoded. */
function decodeText(text: string, start: number, end: number): string | undefined {
  const run = text.slice(start, end);
  if (run.includes(']]>')) return undefined;
  let amp = text.indexOf('&', start);
  if (amp < 0 || amp >= end) return run;
  let out = '';
  let from = start;
  while (amp >= 0 && amp < end) {
    const semi = text.indexOf(';', amp);
    if (semi < 0 || semi >= end) return undefined;
    const ref = text.slice(amp + 1, semi);
    let char: string | undefined;
    if (ref.charCodeAt(0) === 35 /* # */) {
      const code = ref.charCodeAt(1) === 120 /* x */ ? parseRef(ref.slice(2), 16, /^[0-9A-Fa-f]{1,6}$/) : parseRef(ref.slice(1), 10, /^[0-9]{1,7}$/);
      if (code === undefined) return undefined;
      char = String.fromCodePoint(code);
      if (NOT_XML_CHAR.test(char)) return undefined;
    } else {
      char = NAMED_ENTITIES[ref];
      if (char === undefined) return undefined;
    }
    out += text.slice(from, amp) + char;
    from = semi + 1;
    amp = text.indexOf('&', from);
  }
  return out + text.slice(from, end);
}

function parseRef(digits: string, radix: number, shape: RegExp): number | undefined {
  if (!shape.test(digits)) return undefined;
  const code = Number.parseInt(digits, radix);
  return code <= 0x10ffff ? code : undefined;
}

// ---------------------------------------------------------------------------------------------
// General path: fast-xml-parser validates and parses; its messages become XmlError.

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  processEntities: true,
  htmlEntities: true, // decodes character references; named HTML entities are refused before parsing
  isArray: () => false,
  // The library would rename e.g. <toString> to "__toString": a field we would then misread.
  onDangerousProperty: (name: string) => {
    throw new XmlError(`field name <${name}> is refused`);
  },
});

// An `&` that does not start one of XML's five entities or a character reference.
const BAD_REFERENCE = /&(?!(?:lt|gt|amp|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);)/;
const CHAR_REFERENCE = /&#(x[0-9A-Fa-f]+|[0-9]+);/g;
const XML_SPACE = /^[ \t\n\r]*$/;
const CDATA_SECTION = /<!\[CDATA\[[\s\S]*?\]\]>/g;

/** The general reader alone (parseXml's size and character checks not included); exported for tests. */
export function parseXmlWithLibrary(text: string): XmlFields {
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new XmlError(`malformed XML: ${valid.err.msg} (line ${valid.err.line})`);
  checkCharacterData(text.replace(CDATA_SECTION, ''));

  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(text) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof XmlError) throw error;
    throw new XmlError(`malformed XML: ${(error as Error).message}`, { cause: error });
  }
  const roots = Object.keys(doc);
  if (roots.length !== 1 || roots[0] !== 'xml') throw new XmlError('the root element must be <xml>');
  const root = doc.xml;
  if (root === undefined || (typeof root === 'string' && XML_SPACE.test(root))) return {};
  if (typeof root !== 'object' || root === null) throw new XmlError('<xml> must contain fields');

  const fields: XmlFields = {};
  for (const [name, value] of Object.entries(root)) {
    if (name === '#text') {
      if (typeof value === 'string' && XML_SPACE.test(value)) continue;
      throw new XmlError('text directly inside <xml>');
    }
    if (typeof value !== 'string') {
      throw new XmlError(Array.isArray(value) ? `field <${name}> appears more than once` : `field <${name}> is not flat text`);
    }
    fields[name] = value;
  }
  return fields;
}

/**
 * What fast-xml-parser lets through but XML forbids: unknown entities (left as text), invalid
 * character references (silently dropped) and `]]>` outside CDATA.
 */
function checkCharacterData(outsideCdata: string): void {
  if (outsideCdata.includes(']]>')) throw new XmlError('malformed XML: "]]>" outside a CDATA section');
  const bad = BAD_REFERENCE.exec(outsideCdata);
  if (bad) throw new XmlError(`malformed XML: "&" must start &lt; &gt; &amp; &quot; &apos; or a character reference (near "${outsideCdata.slice(bad.index, bad.index + 12)}")`);
  for (const match of outsideCdata.matchAll(CHAR_REFERENCE)) {
    const digits = match[1]!;
    const code = digits.startsWith('x') ? Number.parseInt(digits.slice(1), 16) : Number.parseInt(digits, 10);
    if (code > 0x10ffff || NOT_XML_CHAR.test(String.fromCodePoint(code))) {
      throw new XmlError(`malformed XML: ${match[0]} is a character XML 1.0 cannot carry`);
    }
  }
}
