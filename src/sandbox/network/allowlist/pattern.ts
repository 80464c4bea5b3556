/**
 * Python `fnmatch` semantics, reimplemented so that allowlists written for the
 * original Airut mean exactly the same thing here:
 *
 * - A pattern without `*` or `?` is compared literally (so a lone `[` or `]` is
 *   just a character, as in the original's exact-compare branch).
 * - `*` matches any run of characters, INCLUDING `.` and `/`; `?` matches one
 *   character (one Unicode code point).
 * - `[abc]`, `[a-z]` match one character of a class; `[!a-z]` negates it. `^` is
 *   NOT a negation (it is a plain member, as in fnmatch). A `]` right after `[`
 *   or `[!` is a member. A `-` first or last is a member. A reversed range such
 *   as `[z-a]` is empty. A `[` without a closing `]` is a literal `[`. A class
 *   that ends up empty never matches; a negated empty class matches any character.
 * - Backslash has no escaping role.
 *
 * Matching is an iterative two-pointer walk that remembers only the last `*`,
 * so it runs in O(pattern × text) at worst: no regular expression, no
 * catastrophic backtracking, whatever a repository writes into its allowlist.
 */

/** One compiled step of a pattern. */
type Token =
  | { readonly kind: 'char'; readonly cp: number }
  | { readonly kind: 'any' }
  | { readonly kind: 'star' }
  | { readonly kind: 'class'; readonly negated: boolean; readonly ranges: readonly (readonly [number, number])[] };

/** A compiled pattern; `test` says whether a whole string matches it. */
export interface PatternMatcher {
  /** The pattern as written. */
  readonly source: string;
  /** True when the pattern holds `*` or `?`, i.e. it is matched as a glob rather than compared literally. */
  readonly isWildcard: boolean;
  /** True when `text` matches the whole pattern. */
  test(text: string): boolean;
}

/** Options of {@link compilePattern}. */
export interface CompileOptions {
  /** Compare lower-cased pattern and text (hosts and header names); paths stay case-sensitive. */
  readonly caseInsensitive?: boolean;
}

/** True when `pattern` would be matched as a glob (holds `*` or `?`), the rule the original uses. */
export function isWildcardPattern(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

/**
 * True when `pattern` holds any fnmatch metacharacter (`*`, `?`, `[`, `]`).
 * Masked-secret header patterns use this stricter test to decide whether a
 * pattern names one header exactly (only then may a foreign credential be stripped).
 */
export function hasGlobCharacters(pattern: string): boolean {
  return /[*?[\]]/.test(pattern);
}

/** Index of the `]` closing the class opened at `open`, or -1 when the `[` is literal (fnmatch's scan). */
export function findClassEnd(cps: readonly number[], open: number): number {
  let j = open + 1;
  if (j < cps.length && cps[j] === BANG) j += 1;
  if (j < cps.length && cps[j] === CLOSE) j += 1;
  while (j < cps.length && cps[j] !== CLOSE) j += 1;
  return j < cps.length ? j : -1;
}

/**
 * Why a wildcard pattern is unusable, or undefined. Only a reversed range such
 * as `[z-a]` is refused: Python drops it and then re-reads what is left (so
 * `[z-a!x]` becomes "not x" there), a quirk no one means to rely on.
 */
export function findPatternProblem(pattern: string): string | undefined {
  if (!isWildcardPattern(pattern)) return undefined;
  const cps = codePoints(pattern);
  for (let i = 0; i < cps.length; i += 1) {
    if (cps[i] !== OPEN) continue;
    const end = findClassEnd(cps, i);
    if (end < 0) continue;
    const body = cps.slice(i + 1, end);
    const members = body[0] === BANG ? body.slice(1) : body;
    for (let p = 0; p < members.length; ) {
      if (members[p + 1] === DASH && p + 2 < members.length) {
        if ((members[p] as number) > (members[p + 2] as number)) {
          const range = String.fromCodePoint(...members.slice(p, p + 3));
          return `the class range "${range}" is reversed and matches nothing; write it low to high`;
        }
        p += 3;
      } else {
        p += 1;
      }
    }
    i = end;
  }
  return undefined;
}

const SURROGATE = /[\uD800-\uDFFF]/;
const STAR = 0x2a;
const QUESTION = 0x3f;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const BANG = 0x21;
const DASH = 0x2d;

function parseClass(body: readonly number[]): Token {
  const negated = body[0] === BANG;
  const members = negated ? body.slice(1) : body;
  const ranges: (readonly [number, number])[] = [];
  let p = 0;
  while (p < members.length) {
    const lo = members[p] as number;
    // `a-z` is a range only when something follows the dash; a leading or
    // trailing dash is a member (fnmatch starts its dash search after the first member).
    if (members[p + 1] === DASH && p + 2 < members.length) {
      const hi = members[p + 2] as number;
      if (lo <= hi) ranges.push([lo, hi]);
      p += 3;
    } else {
      ranges.push([lo, lo]);
      p += 1;
    }
  }
  return { kind: 'class', negated, ranges };
}

function tokenize(cps: readonly number[]): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < cps.length) {
    const cp = cps[i] as number;
    if (cp === STAR) {
      // Consecutive stars mean the same as one.
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' });
      i += 1;
    } else if (cp === QUESTION) {
      tokens.push({ kind: 'any' });
      i += 1;
    } else if (cp === OPEN) {
      const end = findClassEnd(cps, i);
      if (end < 0) {
        tokens.push({ kind: 'char', cp });
        i += 1;
      } else {
        tokens.push(parseClass(cps.slice(i + 1, end)));
        i = end + 1;
      }
    } else {
      tokens.push({ kind: 'char', cp });
      i += 1;
    }
  }
  return tokens;
}

function tokenMatches(token: Token, cp: number): boolean {
  switch (token.kind) {
    case 'char':
      return token.cp === cp;
    case 'any':
      return true;
    case 'class': {
      const inside = token.ranges.some(([lo, hi]) => cp >= lo && cp <= hi);
      return inside !== token.negated;
    }
    case 'star':
      return false;
  }
}

/** Characters of the text by index: UTF-16 units when it has no surrogates (then units are code points), else code points. */
type CharAt = (index: number) => number;

function globMatch(tokens: readonly Token[], length: number, charAt: CharAt): boolean {
  let t = 0;
  let p = 0;
  let starAt = -1;
  let resumeAt = 0;
  while (t < length) {
    const token = tokens[p];
    if (token !== undefined && token.kind === 'star') {
      starAt = p;
      resumeAt = t;
      p += 1;
    } else if (token !== undefined && tokenMatches(token, charAt(t))) {
      p += 1;
      t += 1;
    } else if (starAt >= 0) {
      // Let the last star swallow one more character and retry from there.
      p = starAt + 1;
      resumeAt += 1;
      t = resumeAt;
    } else {
      return false;
    }
  }
  while (p < tokens.length && tokens[p]?.kind === 'star') p += 1;
  return p === tokens.length;
}

/** The literal text every match must start with and end with (a necessary condition only). */
function literalEnds(tokens: readonly Token[]): [string, string] {
  const literal = (token: Token | undefined): token is { kind: 'char'; cp: number } => token?.kind === 'char';
  let head = '';
  for (let i = 0; literal(tokens[i]); i += 1) head += String.fromCodePoint((tokens[i] as { cp: number }).cp);
  let tail = '';
  for (let i = tokens.length - 1; literal(tokens[i]); i -= 1) tail = String.fromCodePoint((tokens[i] as { cp: number }).cp) + tail;
  return [head, tail];
}

function codePoints(text: string): number[] {
  // A plain loop: Array.from with a callback is several times slower, and this runs per rule per request.
  const out: number[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const cp = text.codePointAt(i) as number;
    out.push(cp);
    if (cp > 0xffff) i += 1;
  }
  return out;
}

/** Compile `pattern` once; the returned matcher is reused for every request. */
export function compilePattern(pattern: string, options: CompileOptions = {}): PatternMatcher {
  const fold = options.caseInsensitive === true ? (s: string) => s.toLowerCase() : (s: string) => s;
  const folded = fold(pattern);
  const isWildcard = isWildcardPattern(pattern);
  if (!isWildcard) {
    return { source: pattern, isWildcard, test: (text) => fold(text) === folded };
  }
  const tokens = tokenize(codePoints(folded));
  const [head, tail] = literalEnds(tokens);
  return {
    source: pattern,
    isWildcard,
    test(text) {
      const folded = fold(text);
      // Most rules are "*.host.tld" or "/prefix/*": their literal ends reject almost every text cheaply.
      if (!folded.startsWith(head) || !folded.endsWith(tail)) return false;
      if (!SURROGATE.test(folded)) return globMatch(tokens, folded.length, (i) => folded.charCodeAt(i));
      const cps = codePoints(folded);
      return globMatch(tokens, cps.length, (i) => cps[i] as number);
    },
  };
}

/** One-off match of `text` against `pattern` (compiles every call; prefer {@link compilePattern} in loops). */
export function matchPattern(pattern: string, text: string, options: CompileOptions = {}): boolean {
  return compilePattern(pattern, options).test(text);
}
