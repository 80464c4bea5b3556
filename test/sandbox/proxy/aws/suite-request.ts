import { encodeRfc3986 } from '../../../../src/sandbox/proxy/aws/canonical-request.js';

/** A request of AWS's signing test suite, as a client would put it on the wire. */
export interface SuiteRequest {
  method: string;
  target: string;
  rawHeaders: string[];
  body: string;
}

/** The suite's raw request: request line, headers (folded lines continue the previous one), blank line, body. */
export function parseSuiteRequest(text: string): SuiteRequest {
  const blank = text.indexOf('\n\n');
  const head = blank < 0 ? text : text.slice(0, blank);
  const body = blank < 0 ? '' : text.slice(blank + 2);
  const [requestLine = '', ...lines] = head.split('\n');
  const first = requestLine.indexOf(' ');
  const last = requestLine.lastIndexOf(' HTTP/');
  const rawHeaders: string[] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line)) {
      rawHeaders[rawHeaders.length - 1] += `\n${line}`;
      continue;
    }
    const colon = line.indexOf(':');
    rawHeaders.push(line.slice(0, colon), line.slice(colon + 1));
  }
  // What a client puts on the wire: the suite's bare spaces and UTF-8 percent-encoded.
  const target = [...requestLine.slice(first + 1, last)].map((c) => (/[\x21-\x7e]/.test(c) ? c : encodeRfc3986(c))).join('');
  return { method: requestLine.slice(0, first), target, rawHeaders, body };
}


/** The first value of header `name` (any case). */
export function headerOf(request: SuiteRequest, name: string): string | undefined {
  const at = request.rawHeaders.findIndex((h, i) => i % 2 === 0 && h.toLowerCase() === name);
  return at < 0 ? undefined : request.rawHeaders[at + 1];
}
