/**
 * JSON parsing for request bodies the proxy judges and then forwards as they
 * were sent. The proxy and the upstream server must read the same document,
 * or a filter approves one thing and the server acts on another. So on top
 * of `JSON.parse`, this refuses what parsers disagree on:
 *
 * - bytes that are not UTF-8 (a lenient decoder would substitute them);
 * - an object with the same key twice (`{"tools": [...], "tools": []}`:
 *   JavaScript keeps the last, other parsers the first), also when the two
 *   spellings only differ in escapes (`"tools"` and `"\u0074ools"`);
 * - nesting deeper than {@link MAX_JSON_DEPTH}.
 */

/** Deepest nesting of arrays and objects accepted; no legitimate API body comes near it. */
export const MAX_JSON_DEPTH = 512;

/** Why a body is not JSON the proxy will vouch for. */
export class StrictJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StrictJsonError';
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COLON = 0x3a;

/**
 * Parses `body` as strict JSON (see the module comment).
 * @throws StrictJsonError or the `SyntaxError` of `JSON.parse`
 */
export function parseStrictJson(body: Uint8Array): unknown {
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    throw new StrictJsonError('the body is not valid UTF-8');
  }
  const value: unknown = JSON.parse(text);
  checkKeysAndDepth(text);
  return value;
}

/**
 * One pass over text `JSON.parse` has accepted (so its structure is
 * known to be valid): a stack of key sets, one per open container (arrays
 * get none). Iterative, so hostile nesting cannot overflow the stack.
 */
function checkKeysAndDepth(text: string): void {
  const stack: (Set<string> | undefined)[] = [];
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      const end = stringEnd(text, i);
      const keys = stack.at(-1);
      if (keys !== undefined && nextSignificant(text, end) === COLON) {
        const raw = text.slice(i, end);
        // Escapes spell the same key in many ways; compare decoded names.
        const key = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        if (keys.has(key)) throw new StrictJsonError(`the key ${JSON.stringify(key.slice(0, 100))} appears twice in one object`);
        keys.add(key);
      }
      i = end;
      continue;
    }
    if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
      stack.push(code === OPEN_OBJECT ? new Set() : undefined);
      if (stack.length > MAX_JSON_DEPTH) throw new StrictJsonError(`the body is nested deeper than ${MAX_JSON_DEPTH} levels`);
    } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) {
      stack.pop();
    }
    i += 1;
  }
}

/** Index just past the string literal that opens at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const next = text.indexOf('"', i);
    // JSON.parse accepted the text, so the literal is closed.
    if (next < 0) return text.length;
    let backslashes = 0;
    for (let j = next - 1; j > start && text.charCodeAt(j) === BACKSLASH; j -= 1) backslashes += 1;
    if (backslashes % 2 === 0) return next + 1;
    i = next + 1;
  }
}

/** The first character code at or after `from` that is not JSON whitespace. */
function nextSignificant(text: string, from: number): number {
  for (let i = from; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09) return code;
  }
  return -1;
}
