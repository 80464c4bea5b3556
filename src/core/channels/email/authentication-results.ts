/**
 * A parser for the value of an `Authentication-Results` header (RFC 8601 with
 * the CFWS of RFC 5322): authserv-id, optional version, then `; method=result`
 * entries with their reason and `ptype.property=value` properties.
 *
 * Sender authentication depends on what this returns, so it parses the whole
 * value and refuses what it cannot read: text inside comments and quoted
 * strings is never mistaken for a result, and an unterminated comment, a
 * stray word or a second result without `;` is an error, not a guess.
 *
 * Leniencies, each for a real provider: a header without authserv-id
 * (Microsoft 365 writes `spf=pass ...; dmarc=pass action=none ...`), bare
 * `key=value` properties (`action=none`, `x-bits=2048`) unless the key is the
 * name of an authentication method, a trailing `;`, and property values with
 * `/`, `+` or `=` (truncated signatures such as `header.b=Ab/c+d=`).
 */

/** One property of a result; `ptype` is `''` for a bare `key=value`. Names are lower-cased. */
export interface AuthResultProperty {
  ptype: string;
  property: string;
  /** The value; a quoted string is unquoted, a quoted local-part is kept as `"..."@domain`. */
  value: string;
}

/** One `method=result` entry. Method and result are lower-cased. */
export interface AuthResult {
  method: string;
  methodVersion: number | undefined;
  result: string;
  reason: string | undefined;
  properties: AuthResultProperty[];
}

/** A parsed header value. `authservId` is undefined for the Microsoft 365 form without one. */
export interface AuthenticationResults {
  authservId: string | undefined;
  version: number | undefined;
  /** Empty for the `; none` form. */
  results: AuthResult[];
}

/**
 * The outcome of {@link parseAuthenticationResults}. A failure still names the
 * authserv-id when it could be read (`null` for a header that has none), so a
 * caller can tell whose unreadable header it is.
 */
export type AuthResultsParse =
  | { ok: true; value: AuthenticationResults }
  | { ok: false; reason: string; authservId: string | null | undefined };

/**
 * Method names of the IANA Email Authentication Methods registry (and common
 * extensions). A bare `dmarc=pass` where a property belongs is someone else's
 * text that slipped in without its `;`, never a property.
 */
const METHOD_NAMES = new Set([
  'arc', 'auth', 'bimi', 'compauth', 'dkim', 'dkim-adsp', 'dkim-atps', 'dmarc', 'dnswl', 'domainkeys',
  'iprev', 'rrvs', 'sender-id', 'smime', 'spf', 'vbr',
]);

/** RFC 2045 `tspecials`: characters a token may not hold. */
const TSPECIALS = new Set(['(', ')', '<', '>', '@', ',', ';', ':', '\\', '"', '/', '[', ']', '?', '=']);

class ParseFailure extends Error {}

/** Parses one `Authentication-Results` value (unfolded or still folded with CRLF + WSP). */
export function parseAuthenticationResults(text: string): AuthResultsParse {
  const parser = new Parser(text);
  try {
    return { ok: true, value: parser.parseHeader() };
  } catch (err) {
    if (!(err instanceof ParseFailure)) throw err;
    return { ok: false, reason: err.message, authservId: parser.authservId };
  }
}

class Parser {
  private pos = 0;
  /** The authserv-id once read; `null` when the header has none. */
  authservId: string | null | undefined;

  constructor(private readonly text: string) {}

  parseHeader(): AuthenticationResults {
    this.skipCFWS();
    if (this.atEnd()) this.fail('the value is empty');
    const results: AuthResult[] = [];
    let version: number | undefined;
    if (this.startsWithResult()) {
      this.authservId = null;
      results.push(this.parseResinfo());
    } else {
      this.authservId = this.peek() === '"' ? this.readQuoted() : this.readToken('an authserv-id');
      const spaced = this.skipCFWS();
      if (spaced && isDigit(this.peek() ?? '')) {
        version = Number(this.readWhile(isDigit));
        if (version !== 1) this.fail(`version ${version} is not supported (only 1 is)`);
        this.skipCFWS();
      }
      if (this.atEnd()) this.fail(`no result follows the authserv-id '${this.authservId}'`);
      if (this.peek() !== ';') this.fail(`expected ';' after the authserv-id '${this.authservId}'`);
      if (this.isNoResult()) return { authservId: this.authservId, version, results: [] };
    }
    while (!this.atEnd()) {
      this.expect(';');
      this.skipCFWS();
      if (this.atEnd()) {
        if (results.length === 0) this.fail('no result follows the authserv-id');
        break;
      }
      results.push(this.parseResinfo());
    }
    return { authservId: this.authservId ?? undefined, version, results };
  }

  /** `method[/version]=result` at the start: the Microsoft 365 form without authserv-id. */
  private startsWithResult(): boolean {
    if (this.peek() === '"') return false;
    const start = this.pos;
    const word = this.readWhile((c) => isTokenChar(c));
    this.skipCFWS();
    const next = this.peek();
    this.pos = start;
    return word !== '' && isKeyword(word) && (next === '=' || next === '/');
  }

  /** `; none` and nothing else: the no-result form. Consumes it when it matches. */
  private isNoResult(): boolean {
    const start = this.pos;
    this.expect(';');
    this.skipCFWS();
    const word = this.readWhile(isKeywordChar);
    this.skipCFWS();
    if (word.toLowerCase() === 'none' && this.atEnd()) return true;
    this.pos = start;
    return false;
  }

  private parseResinfo(): AuthResult {
    const method = this.readKeyword('a method name').toLowerCase();
    this.skipCFWS();
    let methodVersion: number | undefined;
    if (this.peek() === '/') {
      this.pos += 1;
      this.skipCFWS();
      const digits = this.readWhile(isDigit);
      if (digits === '') this.fail(`expected a version number after '${method}/'`);
      methodVersion = Number(digits);
      this.skipCFWS();
    }
    if (this.peek() !== '=') this.fail(`expected '=' after the method '${method}'`);
    this.pos += 1;
    this.skipCFWS();
    const result = this.readKeyword(`the result of '${method}'`).toLowerCase();
    const entry: AuthResult = { method, methodVersion, result, reason: undefined, properties: [] };
    this.endOfItem(`${method}=${result}`);
    for (;;) {
      this.skipCFWS();
      if (this.atEnd() || this.peek() === ';') return entry;
      this.parseItem(entry);
    }
  }

  /** One `reason=value`, `ptype.property=value` or bare `key=value` after a result. */
  private parseItem(entry: AuthResult): void {
    const name = this.readKeyword(`a property of '${entry.method}=${entry.result}'`).toLowerCase();
    this.skipCFWS();
    if (this.peek() === '.') {
      this.pos += 1;
      this.skipCFWS();
      const property = this.readKeyword(`a property name after '${name}.'`).toLowerCase();
      this.skipCFWS();
      this.expect('=');
      entry.properties.push({ ptype: name, property, value: this.readPropertyValue(`${name}.${property}`) });
      return;
    }
    if (this.peek() !== '=') this.fail(`expected '.' or '=' after '${name}' in '${entry.method}=${entry.result}'`);
    this.pos += 1;
    if (name === 'reason') {
      if (entry.reason !== undefined) this.fail(`'${entry.method}=${entry.result}' has two reasons`);
      this.skipCFWS();
      entry.reason = this.peek() === '"' ? this.readQuoted() : this.readToken('a reason');
      this.endOfItem('reason');
      return;
    }
    if (METHOD_NAMES.has(name)) this.fail(`'${name}=' inside '${entry.method}=${entry.result}': a second result without ';'`);
    entry.properties.push({ ptype: '', property: name, value: this.readPropertyValue(name) });
  }

  /** `pvalue`: a quoted string (optionally a quoted local-part with `@domain`), or a run of value characters. */
  private readPropertyValue(name: string): string {
    this.skipCFWS();
    let value: string;
    if (this.peek() === '"') {
      const quoted = this.readQuoted();
      if (this.peek() === '@') {
        this.pos += 1;
        const domain = this.readWhile((c) => isValueChar(c) && c !== '@');
        if (domain === '') this.fail(`expected a domain after the quoted local-part of ${name}`);
        value = `"${quoted.replace(/(["\\])/g, '\\$1')}"@${domain}`;
      } else {
        value = quoted;
      }
    } else {
      value = this.readWhile(isValueChar);
    }
    this.endOfItem(name);
    return value;
  }

  /** A value ends at whitespace, a comment, `;` or the end; anything glued on is an error. */
  private endOfItem(what: string): void {
    const c = this.peek();
    if (c === undefined || c === ';' || c === '(' || isWsp(c) || this.atFold()) return;
    this.fail(`unexpected '${c}' right after ${what}`);
  }

  /** Skips whitespace, folds and (nested) comments; true when anything was skipped. */
  private skipCFWS(): boolean {
    const start = this.pos;
    for (;;) {
      const c = this.peek();
      if (c !== undefined && isWsp(c)) this.pos += 1;
      else if (this.atFold()) this.skipFold();
      else if (c === '(') this.skipComment();
      else break;
    }
    return this.pos > start;
  }

  private skipComment(): void {
    const start = this.pos;
    let depth = 0;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos];
      if (c === '\\') {
        if (this.pos + 1 >= this.text.length) break;
        this.pos += 2;
        continue;
      }
      if (c === '\r' || c === '\n') {
        if (!this.atFold()) this.fail(`a line break inside the comment at offset ${start}`);
        this.skipFold();
        continue;
      }
      this.pos += 1;
      if (c === '(') depth += 1;
      else if (c === ')') {
        depth -= 1;
        if (depth === 0) return;
      }
    }
    this.fail(`the comment at offset ${start} is not closed`);
  }

  private readQuoted(): string {
    const start = this.pos;
    this.pos += 1;
    let out = '';
    while (this.pos < this.text.length) {
      const c = this.text[this.pos] ?? '';
      if (c === '\\') {
        if (this.pos + 1 >= this.text.length) break;
        out += this.text[this.pos + 1] ?? '';
        this.pos += 2;
        continue;
      }
      if (c === '"') {
        this.pos += 1;
        return out;
      }
      if (c === '\r' || c === '\n') {
        if (!this.atFold()) this.fail(`a line break inside the quoted string at offset ${start}`);
        this.skipFold();
        continue;
      }
      out += c;
      this.pos += 1;
    }
    return this.fail(`the quoted string at offset ${start} is not closed`);
  }

  private readToken(what: string): string {
    const token = this.readWhile(isTokenChar);
    if (token === '') this.fail(`expected ${what}`);
    return token;
  }

  private readKeyword(what: string): string {
    const word = this.readWhile(isKeywordChar);
    if (!isKeyword(word)) this.fail(`expected ${what}`);
    return word;
  }

  private readWhile(accept: (c: string) => boolean): string {
    const start = this.pos;
    while (this.pos < this.text.length && accept(this.text[this.pos] ?? '')) this.pos += 1;
    return this.text.slice(start, this.pos);
  }

  private expect(char: string): void {
    if (this.peek() !== char) this.fail(`expected '${char}'`);
    this.pos += 1;
  }

  /** CRLF (or a bare LF) followed by whitespace: a folded line. */
  private atFold(): boolean {
    const rest = this.text.slice(this.pos, this.pos + 3);
    return /^(\r\n|\n)[ \t]/.test(rest);
  }

  private skipFold(): void {
    this.pos += this.text[this.pos] === '\r' ? 2 : 1;
  }

  private peek(): string | undefined {
    return this.text[this.pos];
  }

  private atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  private fail(message: string): never {
    const near = this.text.slice(this.pos, this.pos + 24);
    throw new ParseFailure(this.atEnd() ? `${message} (at the end)` : `${message} (at offset ${this.pos}: '${near}')`);
  }
}

function isWsp(c: string): boolean {
  return c === ' ' || c === '\t';
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

function isKeywordChar(c: string): boolean {
  return /^[A-Za-z0-9_-]$/.test(c);
}

/** RFC 5321 Ldh-str, with `_` tolerated: starts and ends with a letter or digit. */
function isKeyword(word: string): boolean {
  return /^[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?$/.test(word);
}

function isTokenChar(c: string): boolean {
  const code = c.charCodeAt(0);
  return code > 0x20 && code < 0x7f && !TSPECIALS.has(c);
}

/** Property values: printable ASCII but the delimiters of this grammar, and any non-ASCII (UTF-8 domains). */
function isValueChar(c: string): boolean {
  const code = c.charCodeAt(0);
  if (code >= 0x80) return true;
  return code > 0x20 && code < 0x7f && c !== '(' && c !== ')' && c !== ';' && c !== '"' && c !== '\\';
}
