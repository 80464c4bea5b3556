/**
 * PEM and WebCrypto basics of the CA (re-exported by x509.ts). The proxy
 * uses neither: it mints leaves with its own DER writer (proxy/der.ts).
 */
import { webcrypto } from 'node:crypto';

/** ECDSA P-256 with SHA-256: the only key and signature algorithm Airut's CA and leaves use. */
export const ECDSA_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** Node's WebCrypto `subtle`, for key generation, import and export. */
export const subtle = webcrypto.subtle;

/** Wraps DER bytes as PEM with the given label (64-column base64 body). */
export function toPem(der: ArrayBuffer | Uint8Array, label: string): string {
  const b64 = Buffer.from(der instanceof Uint8Array ? der : new Uint8Array(der)).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Extracts the DER bytes of the first PEM block with the given label, or undefined. */
export function fromPem(pem: string, label: string): Buffer | undefined {
  const re = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`);
  const body = re.exec(pem)?.[1];
  return body === undefined ? undefined : Buffer.from(body.replace(/\s+/g, ''), 'base64');
}
