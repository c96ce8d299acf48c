import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_XML_BYTES, XmlError, parseXml, parseXmlWithLibrary, scanFlatXml, toXml } from '../../../server/wechat/xml.ts';

// What XML 1.0 can carry (the test's own statement of the rule, independent of xml.ts).
function isXmlText(value: string): boolean {
  for (const char of value) {
    const code = char.codePointAt(0)!;
    const ok =
      code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || code >= 0x10000;
    if (!ok) return false;
  }
  return true;
}

const MICROPAY_ANSWER = `<xml>
<return_code><![CDATA[SUCCESS]]></return_code>
<return_msg><![CDATA[OK]]></return_msg>
<appid><![CDATA[wx2421b1c4370ec43b]]></appid>
<mch_id>10000100</mch_id>
<nonce_str><![CDATA[GOp3TRyMXzbMlkun]]></nonce_str>
<sign><![CDATA[B8E3CC64F1D3F0A0E6E5C3B8CB0D0A8B]]></sign>
<result_code>SUCCESS</result_code>
<openid><![CDATA[oUpF8uN95-Ptaags6E_roPHg7AG0]]></openid>
<total_fee>1</total_fee>
<coupon_fee>0</coupon_fee>
<transaction_id>100845074020141111000582087300</transaction_id>
<out_trade_no>000123</out_trade_no>
<auth_code>134567890123456789</auth_code>
<attach><![CDATA[订单额外描述]]></attach>
<time_end>20141111170043</time_end>
</xml>`;

describe('parseXml', () => {
  it('reads plain and CDATA values alike', () => {
    const fields = parseXml(MICROPAY_ANSWER);
    expect(fields.return_code).toBe('SUCCESS');
    expect(fields.mch_id).toBe('10000100');
    expect(fields.result_code).toBe('SUCCESS');
    expect(fields.attach).toBe('订单额外描述');
  });

  it('keeps every value a string: 18-digit codes, long ids and leading zeros survive exactly', () => {
    const fields = parseXml(MICROPAY_ANSWER);
    expect(fields.auth_code).toBe('134567890123456789');
    expect(fields.transaction_id).toBe('100845074020141111000582087300');
    expect(fields.out_trade_no).toBe('000123');
    expect(fields.total_fee).toBe('1');
    for (const value of Object.values(fields)) expect(typeof value).toBe('string');
  });

  it('keeps unknown extra fields such as coupon_fee_3', () => {
    const fields = parseXml('<xml><coupon_count>4</coupon_count><coupon_fee_3>25</coupon_fee_3><future_field>x</future_field></xml>');
    expect(fields).toEqual({ coupon_count: '4', coupon_fee_3: '25', future_field: 'x' });
  });

  it('reads a value split across CDATA sections to carry "]]>"', () => {
    expect(parseXml('<xml><a><![CDATA[x]]]]><![CDATA[>y]]></a></xml>').a).toBe('x]]>y');
  });

  it('keeps spaces inside values and ignores the layout between fields', () => {
    expect(parseXml('<xml>\n  <a> 012 </a>\n  <b><![CDATA[ x ]]></b>\n</xml>\n')).toEqual({ a: ' 012 ', b: ' x ' });
  });

  it('decodes the five XML entities and character references in plain values', () => {
    expect(parseXml('<xml><a>&lt;&gt;&amp;&quot;&apos;&#38;&#x4E2D;&#13;</a></xml>').a).toBe('<>&"\'&中\r');
  });

  it('leaves entity-like text inside CDATA alone', () => {
    expect(parseXml('<xml><a><![CDATA[&amp;&foo;<b>]]></a></xml>').a).toBe('&amp;&foo;<b>');
  });

  it('accepts an XML declaration, a self-closing empty field and an empty document', () => {
    expect(parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<xml><a>1</a><b/></xml>')).toEqual({ a: '1', b: '' });
    expect(parseXml('<xml></xml>')).toEqual({});
  });

  it('refuses a DOCTYPE or an entity declaration (XXE)', () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><a>&xxe;</a></xml>';
    expect(() => parseXml(xxe)).toThrow(XmlError);
    expect(() => parseXml(xxe)).toThrow(/DOCTYPE/);
    expect(() => parseXml('<!doctype xml><xml></xml>')).toThrow(XmlError);
  });

  it('refuses entities XML does not define instead of leaving or expanding them', () => {
    expect(() => parseXml('<xml><a>&copy;</a></xml>')).toThrow(XmlError);
    expect(() => parseXml('<xml><a>&nbsp;</a></xml>')).toThrow(XmlError);
    expect(() => parseXml('<xml><a>a & b</a></xml>')).toThrow(XmlError);
  });

  it('refuses characters XML cannot carry, raw or as references', () => {
    expect(() => parseXml('<xml><a>\u0001</a></xml>')).toThrow(/cannot carry/);
    expect(() => parseXml('<xml><a>&#1;</a></xml>')).toThrow(/cannot carry/);
    expect(() => parseXml('<xml><a>&#xD800;</a></xml>')).toThrow(/cannot carry/);
    expect(() => parseXml('<xml><a>&#x110000;</a></xml>')).toThrow(XmlError);
  });

  it('refuses a body over the size limit, counting UTF-8 bytes', () => {
    const big = `<xml><a>${'x'.repeat(MAX_XML_BYTES)}</a></xml>`;
    expect(() => parseXml(big)).toThrow(/larger than/);
    const cjk = `<xml><a>${'中'.repeat(1000)}</a></xml>`; // 3000+ bytes, 1000+ characters
    expect(() => parseXml(cjk, 2000)).toThrow(/larger than 2000 bytes/);
    expect(parseXml(cjk, 4000).a).toHaveLength(1000);
  });

  it.each([
    ['truncated inside a value', '<xml><a>1'],
    ['truncated after a field', '<xml><a>1</a>'],
    ['truncated closing tag', '<xml><a>1</a></xml'],
    ['unclosed CDATA', '<xml><a><![CDATA[1</a></xml>'],
    ['mismatched tags', '<xml><a>1</b></xml>'],
    ['text after the root', '<xml><a>1</a></xml>junk'],
    ['a second root', '<xml><a>1</a></xml><xml></xml>'],
    ['another root name', '<XML><a>1</a></XML>'],
    ['text directly inside <xml>', '<xml>hello<a>1</a></xml>'],
    ['"]]>" in plain text', '<xml><a>x]]>y</a></xml>'],
    ['an invalid tag name', '<xml><1a>1</1a></xml>'],
    ['not XML at all', 'Service Unavailable'],
    ['empty text', ''],
    ['HTML', '<html><body>502 Bad Gateway</body></html>'],
  ])('refuses malformed XML: %s', (_label, text) => {
    expect(() => parseXml(text)).toThrow(XmlError);
  });

  it('refuses nested fields', () => {
    expect(() => parseXml('<xml><a><b>1</b></a></xml>')).toThrow(/not flat/);
  });

  it('refuses a repeated field instead of picking one of its values', () => {
    expect(() => parseXml('<xml><total_fee>1</total_fee><total_fee>100</total_fee></xml>')).toThrow(/more than once/);
  });

  it('refuses field names that would touch the object prototype', () => {
    expect(() => parseXml('<xml><__proto__>1</__proto__></xml>')).toThrow(XmlError);
    expect(() => parseXml('<xml><constructor>1</constructor></xml>')).toThrow(XmlError);
    expect(() => parseXml('<xml><toString>1</toString></xml>')).toThrow(XmlError);
  });

  it('normalises CRLF line ends in plain values as XML requires', () => {
    expect(parseXml('<xml><a>x\r\ny</a></xml>').a).toBe('x\ny');
  });
});

describe('toXml', () => {
  it('writes a flat <xml> of CDATA values, numbers as text, skipping undefined', () => {
    expect(toXml({ a: 'x', b: 1, c: undefined, d: '' })).toBe('<xml><a><![CDATA[x]]></a><b><![CDATA[1]]></b><d></d></xml>');
  });

  it('splits a value containing "]]>" across CDATA sections', () => {
    const xml = toXml({ detail: '{"a":"]]>"}' });
    expect(xml).toBe('<xml><detail><![CDATA[{"a":"]]]]><![CDATA[>"}]]></detail></xml>');
    expect(parseXml(xml).detail).toBe('{"a":"]]>"}');
  });

  it('keeps carriage returns through the parser', () => {
    expect(parseXml(toXml({ a: 'x\r\ny\rz\r' })).a).toBe('x\r\ny\rz\r');
  });

  it('refuses a character XML 1.0 cannot carry with a clear error naming the field', () => {
    expect(() => toXml({ body: 'a\u0000b' })).toThrow(XmlError);
    expect(() => toXml({ body: 'a\u0000b' })).toThrow(/field "body" holds a character XML 1.0 cannot carry/);
    expect(() => toXml({ body: '\uD800' })).toThrow(/lone surrogate/);
    expect(() => toXml({ body: '\uFFFE' })).toThrow(XmlError);
  });

  it('refuses field names that are not plain WeChat names', () => {
    expect(() => toXml({ 'a b': '1' })).toThrow(/not a valid WeChat field name/);
    expect(() => toXml({ '<a>': '1' })).toThrow(XmlError);
    expect(() => toXml({ constructor: '1' })).toThrow(XmlError);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const fieldName = fc
  .stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,15}$/)
  .filter((name) => !(name in Object.prototype));
const anyUnicode = fc.string({ unit: 'binary', maxLength: 40 });
// Lone surrogates and controls included: every UTF-16 code unit.
const anyCodeUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 40 });
const xmlSpecials = fc.constantFrom(']]>', ']]', '<![CDATA[', '&amp;', '&', '<', '>', '\r\n', '\r', '\n', ' ', '"', "'", '\t');
const trickyText = fc.array(fc.oneof(anyUnicode, xmlSpecials), { maxLength: 6 }).map((parts) => parts.join(''));

describe('toXml and parseXml round trip (property)', () => {
  it('carries every string XML can carry exactly, whatever its characters', () => {
    fc.assert(
      fc.property(fc.dictionary(fieldName, fc.oneof(trickyText, anyUnicode.filter(isXmlText)), { maxKeys: 8 }), (fields) => {
        fc.pre(Object.values(fields).every(isXmlText));
        expect(parseXml(toXml(fields))).toEqual(fields);
      }),
      { numRuns: 500 },
    );
  });

  it('either round-trips a value exactly or refuses it with XmlError because XML cannot carry it', () => {
    fc.assert(
      fc.property(fc.oneof(anyCodeUnits, anyUnicode, trickyText), (value) => {
        if (isXmlText(value)) {
          expect(parseXml(toXml({ v: value }))).toEqual({ v: value });
        } else {
          expect(() => toXml({ v: value })).toThrow(XmlError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('never hands back a field of a document cut short', () => {
    fc.assert(
      fc.property(fc.dictionary(fieldName, trickyText.filter(isXmlText), { minKeys: 1, maxKeys: 5 }), fc.nat(), (fields, cutAt) => {
        const xml = toXml(fields);
        const cut = xml.slice(0, cutAt % xml.length);
        expect(() => parseXml(cut)).toThrow(XmlError);
      }),
      { numRuns: 500 },
    );
  });
});

// Pieces of valid and invalid XML, so generated documents hit both readers' every branch.
const namePiece = fc.constantFrom('a', 'b', 'return_code', 'coupon_fee_3', 'A1', '_x', '1a', 'a-b', 'toString', 'xml');
const textPiece = fc.oneof(
  anyUnicode.filter(isXmlText),
  fc.constantFrom('&amp;', '&lt;', '&#13;', '&#x26;', '&#1;', '&foo;', '&', ']]>', '<![CDATA[x]]>', '<![CDATA[', ']]]]><![CDATA[>'),
  fc.constantFrom('\r\n', ' ', '<!-- c -->', '<b>1</b>', '<', '>', '<c/>', '&#xD800;', '&#99999999;', '"'),
);
const fieldPiece = fc
  .tuple(namePiece, fc.array(textPiece, { maxLength: 4 }), fc.constantFrom('close', 'close', 'close', 'open', 'self'))
  .map(([name, parts, end]) => (end === 'self' ? `<${name}/>` : `<${name}>${parts.join('')}${end === 'close' ? `</${name}>` : ''}`));
const documentText = fc
  .tuple(
    fc.constantFrom('', '', '<?xml version="1.0" encoding="UTF-8"?>', '\n', ' ', '<?xml?>'),
    fc.constantFrom('<xml>', '<xml>', '<xml >', '<XML>'),
    fc.array(fc.oneof(fieldPiece, fieldPiece, fc.constantFrom(' ', '\n', 'x', '\t')), { maxLength: 6 }),
    fc.constantFrom('</xml>', '</xml>', '</xml>\n', '', '</xml>x', '</xml><xml></xml>'),
  )
  .map(([declaration, open, fields, close]) => `${declaration}${open}${fields.join('')}${close}`);

function libraryResult(text: string): unknown {
  try {
    return parseXmlWithLibrary(text);
  } catch (error) {
    expect(error).toBeInstanceOf(XmlError);
    return 'refused';
  }
}

describe('the fast reader agrees with fast-xml-parser (property)', () => {
  it('gives the library result whenever it answers, and is never laxer', () => {
    let fastAnswered = 0;
    fc.assert(
      fc.property(documentText, (text) => {
        const fast = scanFlatXml(text);
        if (fast === undefined) return;
        fastAnswered++;
        expect(libraryResult(text)).toEqual(fast);
      }),
      { numRuns: 3000 },
    );
    expect(fastAnswered).toBeGreaterThan(100); // the property exercised the fast reader
  });

  it('answers for the documents WeChat and toXml write, so the hot path is taken', () => {
    expect(scanFlatXml(MICROPAY_ANSWER)).toEqual(parseXmlWithLibrary(MICROPAY_ANSWER));
    fc.assert(
      fc.property(fc.dictionary(fieldName, trickyText.filter(isXmlText), { maxKeys: 6 }), (fields) => {
        expect(scanFlatXml(toXml(fields))).toEqual(fields);
      }),
    );
  });
});
