/**
 * Strict parsing of the single address in a `From` header.
 *
 * Permissive parsers pick "an" address out of `"boss@corp" <evil@x>` or
 * `a <b> <c>`; here anything ambiguous is refused, and the address judged is
 * always the one inside the angle brackets.
 */

const ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+$/;

/** The lower-cased address of a `From` value, or why it was refused. */
export type FromParse = { ok: true; address: string } | { ok: false; reason: string };

/** Parses one `From` header value strictly. */
export function parseFromAddress(value: string): FromParse {
  const opens = count(value, '<');
  const closes = count(value, '>');
  let candidate: string;
  if (opens === 0 && closes === 0) {
    candidate = value.trim();
  } else {
    if (opens !== 1 || closes !== 1) return { ok: false, reason: `From header has unbalanced or repeated angle brackets: ${value}` };
    const open = value.indexOf('<');
    const close = value.indexOf('>');
    if (close < open) return { ok: false, reason: `From header has '>' before '<': ${value}` };
    if (value.slice(close + 1).trim() !== '') return { ok: false, reason: `From header has text after the address: ${value}` };
    candidate = value.slice(open + 1, close).trim();
  }
  if (!ADDRESS.test(candidate)) return { ok: false, reason: `From header holds no single valid address: ${value}` };
  const domain = candidate.slice(candidate.indexOf('@') + 1);
  if (domain.startsWith('.') || domain.endsWith('.') || domain.includes('..')) {
    return { ok: false, reason: `From header address has a malformed domain: ${value}` };
  }
  return { ok: true, address: candidate.toLowerCase() };
}

function count(text: string, char: string): number {
  let n = 0;
  for (const c of text) if (c === char) n += 1;
  return n;
}
