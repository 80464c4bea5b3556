/**
 * Just enough DER (ITU-T X.690) to write a leaf certificate and to read the
 * two fields of the CA certificate it needs. The proxy mints certificates
 * with this and Node's own crypto instead of a general X.509 library, which
 * would cost it about 15 MB of memory and most of its start-up time.
 */

/** A tag-length-value element with its content. */
export function tlv(tag: number, content: Buffer): Buffer {
  const length = content.length;
  if (length < 0x80) return Buffer.concat([Buffer.from([tag, length]), content]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.concat([Buffer.from([tag, 0x80 | bytes.length, ...bytes]), content]);
}

export const sequence = (...parts: Buffer[]): Buffer => tlv(0x30, Buffer.concat(parts));
export const octetString = (bytes: Buffer): Buffer => tlv(0x04, bytes);
export const utf8String = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));
export const ia5String = (tag: number, text: string): Buffer => tlv(tag, Buffer.from(text, 'ascii'));
export const booleanTrue = (): Buffer => Buffer.from([0x01, 0x01, 0xff]);
/** A BIT STRING of whole bytes, or (`unusedBits`) with the last byte's low bits unused. */
export const bitString = (bytes: Buffer, unusedBits = 0): Buffer => tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), bytes]));
export const explicit = (n: number, inner: Buffer): Buffer => tlv(0xa0 + n, inner);

/** A non-negative INTEGER from big-endian bytes (a leading zero is added when the top bit is set). */
export function unsignedInteger(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  return tlv(0x02, (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

/** An OBJECT IDENTIFIER from its dotted form. */
export function objectIdentifier(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) chunk.unshift(0x80 | (n & 0x7f));
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** UTCTime until 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5), to the second. */
export function time(date: Date): Buffer {
  const iso = date.toISOString();
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(digits.slice(2), 'ascii')) : tlv(0x18, Buffer.from(digits, 'ascii'));
}

/** One element read back: its tag, the whole encoding and the content. */
export interface DerElement {
  tag: number;
  raw: Buffer;
  content: Buffer;
}

/**
 * The elements that follow each other in `bytes` (the content of a
 * constructed element).
 * @throws Error on a truncated or indefinite-length encoding
 */
export function readElements(bytes: Buffer): DerElement[] {
  const elements: DerElement[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const tag = bytes[offset] ?? 0;
    let length = bytes[offset + 1];
    let header = 2;
    if (length === undefined) throw new Error('truncated DER');
    if (length & 0x80) {
      const count = length & 0x7f;
      if (count === 0 || count > 4) throw new Error('unsupported DER length');
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + (bytes[offset + 2 + i] ?? 0);
      header += count;
    }
    const end = offset + header + length;
    if (end > bytes.length) throw new Error('truncated DER');
    elements.push({ tag, raw: bytes.subarray(offset, end), content: bytes.subarray(offset + header, end) });
    offset = end;
  }
  return elements;
}

/** What a leaf needs from its CA certificate. */
export interface CaFields {
  /** The CA's subject Name, DER, to be the leaf's issuer byte for byte. */
  subject: Buffer;
  /** The CA's subject key identifier, for the leaf's authority key identifier; undefined when the CA has none. */
  keyIdentifier: Buffer | undefined;
}

const SUBJECT_KEY_IDENTIFIER = objectIdentifier('2.5.29.14');

/**
 * Reads the subject and the subject key identifier of a DER certificate.
 * @throws Error when the bytes are not a certificate
 */
export function readCaFields(der: Buffer): CaFields {
  const [certificate] = readElements(der);
  const [tbs] = readElements(certificate?.content ?? Buffer.alloc(0));
  const fields = readElements(tbs?.content ?? Buffer.alloc(0));
  // [0] version, serial, signature algorithm, issuer, validity, subject, key, then optional [1] [2] [3].
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
  const subject = fields[offset + 4];
  if (certificate?.tag !== 0x30 || tbs?.tag !== 0x30 || subject?.tag !== 0x30) throw new Error('not an X.509 certificate');
  let keyIdentifier: Buffer | undefined;
  const extensions = fields.find((field) => field.tag === 0xa3);
  for (const extension of readElements(readElements(extensions?.content ?? Buffer.alloc(0))[0]?.content ?? Buffer.alloc(0))) {
    const parts = readElements(extension.content);
    if (parts[0]?.raw.equals(SUBJECT_KEY_IDENTIFIER)) {
      const value = parts.at(-1);
      keyIdentifier = value === undefined ? undefined : readElements(value.content)[0]?.content;
    }
  }
  return { subject: subject.raw, keyIdentifier };
}
