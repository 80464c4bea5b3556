/**
 * The few DNS message shapes the responder reads and writes (RFC 1035 §4),
 * parsed by hand with a bounds check before every read: this is the first code
 * that touches bytes from the sandboxed container.
 */

/** A standard query with exactly one question, as far as the responder cares. */
export interface DnsQuery {
  /** Transaction id, echoed in the answer. */
  id: number;
  /** Recursion Desired bit of the query, echoed in the answer. */
  recursionDesired: boolean;
  /** QTYPE (1 = A, 28 = AAAA, 255 = ANY, ...). */
  type: number;
  /** QCLASS (1 = IN). */
  class: number;
  /** The name's labels as raw bytes (case and any byte values preserved). */
  labels: Buffer[];
  /** The question section exactly as received (name, type, class), echoed in the answer. */
  question: Buffer;
}

const HEADER_LENGTH = 12;
const MAX_NAME_LENGTH = 255;
const MAX_LABEL_LENGTH = 63;

/** QTYPE of an IPv4 address record. */
export const TYPE_A = 1;
/** QCLASS Internet. */
export const CLASS_IN = 1;

/**
 * Reads a query, or returns undefined for anything the responder must drop
 * without answering: short or truncated packets, responses (QR set), opcodes
 * other than QUERY, a question count other than one, compression pointers or
 * extended label types in the question, oversized labels or names. Sections
 * after the question (EDNS OPT records from `dig`, for instance) are ignored.
 */
export function parseDnsQuery(packet: Buffer): DnsQuery | undefined {
  if (packet.length < HEADER_LENGTH) return undefined;
  const flags = packet.readUInt16BE(2);
  const isResponse = (flags & 0x8000) !== 0;
  const opcode = (flags >> 11) & 0x0f;
  if (isResponse || opcode !== 0) return undefined;
  if (packet.readUInt16BE(4) !== 1) return undefined;

  const labels: Buffer[] = [];
  let offset = HEADER_LENGTH;
  let nameLength = 0;
  for (;;) {
    if (offset >= packet.length) return undefined;
    const length = packet[offset] as number;
    offset += 1;
    if (length === 0) break;
    // 0xC0 is a compression pointer, 0x40/0x80 are extended label types: none is valid in a question we answer.
    if (length > MAX_LABEL_LENGTH) return undefined;
    nameLength += length + 1;
    if (nameLength + 1 > MAX_NAME_LENGTH) return undefined;
    if (offset + length > packet.length) return undefined;
    labels.push(packet.subarray(offset, offset + length));
    offset += length;
  }
  if (offset + 4 > packet.length) return undefined;
  const type = packet.readUInt16BE(offset);
  const klass = packet.readUInt16BE(offset + 2);
  offset += 4;
  return {
    id: packet.readUInt16BE(0),
    recursionDesired: (flags & 0x0100) !== 0,
    type,
    class: klass,
    labels,
    question: Buffer.from(packet.subarray(HEADER_LENGTH, offset)),
  };
}

/** Flags of every answer: QR (response) and RA (recursion available), plus the query's RD. */
function responseFlags(query: DnsQuery, rcode: number): number {
  return 0x8000 | (query.recursionDesired ? 0x0100 : 0) | 0x0080 | rcode;
}

function header(query: DnsQuery, rcode: number, answers: number): Buffer {
  const out = Buffer.alloc(HEADER_LENGTH);
  out.writeUInt16BE(query.id, 0);
  out.writeUInt16BE(responseFlags(query, rcode), 2);
  out.writeUInt16BE(1, 4);
  out.writeUInt16BE(answers, 6);
  return out;
}

/**
 * NOERROR with one A record for the question's name (a compression pointer to
 * offset 12, where the echoed question starts).
 *
 * @param address dotted IPv4 address
 * @param ttl seconds
 */
export function buildAnswerA(query: DnsQuery, address: string, ttl: number): Buffer {
  const record = Buffer.alloc(16);
  record.writeUInt16BE(0xc00c, 0);
  record.writeUInt16BE(TYPE_A, 2);
  record.writeUInt16BE(CLASS_IN, 4);
  record.writeUInt32BE(ttl, 6);
  record.writeUInt16BE(4, 10);
  const octets = address.split('.').map(Number);
  for (let i = 0; i < 4; i++) record[12 + i] = octets[i] ?? 0;
  return Buffer.concat([header(query, 0, 1), query.question, record]);
}

/** NOTIMP (RCODE 4) with the question echoed and no records. */
export function buildNotImplemented(query: DnsQuery): Buffer {
  return Buffer.concat([header(query, 4, 0), query.question]);
}

const TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'A'], [2, 'NS'], [5, 'CNAME'], [6, 'SOA'], [12, 'PTR'], [15, 'MX'], [16, 'TXT'],
  [28, 'AAAA'], [33, 'SRV'], [64, 'SVCB'], [65, 'HTTPS'], [255, 'ANY'],
]);

/** `A`, `AAAA`, `ANY`, ... or `TYPE<n>` for the rest. */
export function typeName(type: number): string {
  return TYPE_NAMES.get(type) ?? `TYPE${type}`;
}

/**
 * The name in presentation form for the log, without the trailing dot. Bytes
 * outside letters, digits, `-`, `_` and `*` are written as `\DDD` (and a dot
 * inside a label as `\.`), as dig does, so a crafted name can never break a log
 * line or forge another one.
 */
export function presentName(labels: readonly Buffer[]): string {
  if (labels.length === 0) return '.';
  return labels.map((label) => {
    let text = '';
    for (const byte of label) {
      const safe = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
        || byte === 0x2d || byte === 0x5f || byte === 0x2a;
      if (safe) text += String.fromCharCode(byte);
      else if (byte === 0x2e) text += '\\.';
      else text += `\\${byte.toString().padStart(3, '0')}`;
    }
    return text;
  }).join('.');
}
