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
    if (!FIELD_NAME.test(name)) throw new XmlError(`field name "${name}" is not a valid XML name`);
    const value = String(raw);
    if (NOT_XML_CHAR.test(value)) throw new XmlError(`field "${name}" holds a character XML cannot carry`);
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

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  processEntities: true,
  htmlEntities: true,
  isArray: () => false,
});

const FORBIDDEN = /<!DOCTYPE|<!ENTITY/i;

/**
 * Parses a WeChat answer into string fields. Throws XmlError for anything that is not a
 * well-formed flat `<xml>` document within `maxBytes`: truncated text, DOCTYPE/entities,
 * nested elements, repeated fields.
 */
export function parseXml(text: string, maxBytes = MAX_XML_BYTES): XmlFields {
  if (text.length > maxBytes || Buffer.byteLength(text, 'utf8') > maxBytes) {
    throw new XmlError(`XML body larger than ${maxBytes} bytes`);
  }
  if (FORBIDDEN.test(text)) throw new XmlError('DOCTYPE and entity declarations are refused');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new XmlError(`malformed XML: ${valid.err.msg} (line ${valid.err.line})`);

  const doc = parser.parse(text) as Record<string, unknown>;
  const roots = Object.keys(doc);
  if (roots.length !== 1 || roots[0] !== 'xml') throw new XmlError('the root element must be <xml>');
  const root = doc.xml;
  if (root === '' || root === undefined) return {};
  if (typeof root !== 'object' || root === null) throw new XmlError('<xml> must contain fields');

  const fields: XmlFields = {};
  for (const [name, value] of Object.entries(root)) {
    if (name === '#text') {
      if (typeof value === 'string' && value.trim() === '') continue;
      throw new XmlError('text directly inside <xml>');
    }
    if (typeof value !== 'string') {
      throw new XmlError(Array.isArray(value) ? `field <${name}> appears more than once` : `field <${name}> is not flat text`);
    }
    fields[name] = value;
  }
  return fields;
}
