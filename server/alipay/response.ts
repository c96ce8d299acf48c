/**
 * Cuts an openapi answer `{"<method>_response": {...}, "sign": "..."}` into its top-level
 * members as the exact text sent, so the signature is checked over the bytes Alipay signed
 * (escapes such as `\/`, key order and spacing included) and the data read is that same text.
 * A repeated top-level name is refused: two different `<method>_response` values would let one
 * be verified and the other read.
 */

export class AnswerFormatError extends Error {
  override readonly name = 'AnswerFormatError';
}

/** Top-level member name → the raw JSON text of its value. */
export function topLevelMembers(text: string): Map<string, string> {
  try {
    JSON.parse(text);
  } catch (error) {
    throw new AnswerFormatError(`not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const members = new Map<string, string>();
  let i = skipSpace(text, 0);
  if (text[i] !== '{') throw new AnswerFormatError('not a JSON object');
  i = skipSpace(text, i + 1);
  if (text[i] === '}') return members;
  for (;;) {
    const keyEnd = endOfString(text, i);
    const name = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipSpace(text, keyEnd);
    i = skipSpace(text, i + 1); // the ':'
    const valueEnd = endOfValue(text, i);
    if (members.has(name)) throw new AnswerFormatError(`the member "${name}" appears twice`);
    members.set(name, text.slice(i, valueEnd));
    i = skipSpace(text, valueEnd);
    if (text[i] === '}') return members;
    i = skipSpace(text, i + 1); // the ','
  }
}

// The text already parsed as JSON, so the scanners below only need to find ends, not validate.

function skipSpace(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  return i;
}

/** `i` is at an opening quote; returns the index after the closing one. */
function endOfString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === '"') return j + 1;
  }
  throw new AnswerFormatError('unterminated string');
}

function endOfValue(text: string, i: number): number {
  const first = text[i];
  if (first === '"') return endOfString(text, i);
  if (first === '{' || first === '[') {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const c = text[j];
      if (c === '"') j = endOfString(text, j) - 1;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    throw new AnswerFormatError('unterminated object');
  }
  let j = i;
  while (j < text.length && !',}] \n\r\t'.includes(text[j]!)) j++;
  return j;
}
