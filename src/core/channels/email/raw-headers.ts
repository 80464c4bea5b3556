/**
 * Reading the header block of a raw RFC 5322 message exactly as received.
 *
 * Sender authentication must see every header in order (which
 * `Authentication-Results` is topmost, how many `From` there are), which a
 * forgiving parser's merged view hides.
 */

/** One header field: lower-cased name and the unfolded raw value. */
export interface RawHeader {
  name: string;
  value: string;
}

/** The header fields of `raw` in order, unfolded (CRLF + WSP joined into one line). */
export function readRawHeaders(raw: Buffer | string): RawHeader[] {
  const text = typeof raw === 'string' ? raw : raw.toString('latin1');
  const end = headerEnd(text);
  const block = text.slice(0, end);
  const headers: RawHeader[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line === '') continue;
    const last = headers[headers.length - 1];
    if (/^[ \t]/.test(line)) {
      // A continuation line belongs to the field above; a stray one at the top is ignored.
      if (last !== undefined) last.value += line;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.push({ name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim() });
  }
  return headers;
}

/** Values of every header called `name` (case-insensitive), top to bottom. */
export function headerValues(headers: readonly RawHeader[], name: string): string[] {
  const wanted = name.toLowerCase();
  return headers.filter((h) => h.name === wanted).map((h) => h.value);
}

function headerEnd(text: string): number {
  const crlf = text.indexOf('\r\n\r\n');
  const lf = text.indexOf('\n\n');
  const candidates = [crlf, lf].filter((i) => i >= 0);
  return candidates.length === 0 ? text.length : Math.min(...candidates);
}
