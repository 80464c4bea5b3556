import { createHash, createHmac } from 'node:crypto';

/** The SigV4 HMAC algorithm name, as in the `Authorization` header. */
export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';

/** Hex SHA-256 of `data`. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The hash of an empty body, which every bodiless request signs. */
export const EMPTY_SHA256 = sha256Hex('');

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** A credential scope: `DATE/REGION/SERVICE/aws4_request`. */
export interface CredentialScope {
  /** `YYYYMMDD`. */
  readonly date: string;
  readonly region: string;
  readonly service: string;
}

/** The scope as it appears after the key id in `Credential=`. */
export function formatScope(scope: CredentialScope): string {
  return `${scope.date}/${scope.region}/${scope.service}/aws4_request`;
}

/** The SigV4 signing key: HMAC chain `"AWS4"+secret` -> date -> region -> service -> `aws4_request`. */
export function deriveSigningKey(secretAccessKey: string, scope: CredentialScope): Buffer {
  const date = hmac(`AWS4${secretAccessKey}`, scope.date);
  const region = hmac(date, scope.region);
  const service = hmac(region, scope.service);
  return hmac(service, 'aws4_request');
}

/** The string to sign for `canonicalRequest` at `amzDate` (`YYYYMMDDTHHMMSSZ`). */
export function buildStringToSign(algorithm: string, amzDate: string, scope: CredentialScope, canonicalRequest: string): string {
  return [algorithm, amzDate, formatScope(scope), sha256Hex(canonicalRequest)].join('\n');
}

/** Hex HMAC-SHA256 of `stringToSign` under `signingKey`. */
export function signString(signingKey: Buffer, stringToSign: string): string {
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}
