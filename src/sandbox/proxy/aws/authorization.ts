/** The algorithms of an AWS `Authorization` header: SigV4 (HMAC) and SigV4A (ECDSA). */
export type AwsAlgorithm = 'AWS4-HMAC-SHA256' | 'AWS4-ECDSA-P256-SHA256';

/** An AWS signature `Authorization` header, taken apart (AWS-02). */
export interface AwsAuthorization {
  readonly algorithm: AwsAlgorithm;
  readonly accessKeyId: string;
  /** Everything after the key id in `Credential=`: `DATE/REGION/SERVICE/aws4_request` (SigV4A: no region). */
  readonly scope: string;
  /** Lower-case, in the order given (SigV4 requires it sorted). */
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

const HEADER = /^(AWS4-HMAC-SHA256|AWS4-ECDSA-P256-SHA256)[ \t]+(.*)$/s;

/**
 * Parses `AWS4-HMAC-SHA256 Credential=KID/SCOPE, SignedHeaders=a;b, Signature=HEX`
 * (components in any order, separated by `,` with optional whitespace).
 * Undefined for anything else: such a header is not an AWS signature and is
 * left to the other credential handlers.
 */
export function parseAwsAuthorization(value: string): AwsAuthorization | undefined {
  const match = HEADER.exec(value.trim());
  if (match === null) return undefined;
  const fields = new Map<string, string>();
  for (const part of (match[2] as string).split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return undefined;
    const key = part.slice(0, eq).trim();
    if (fields.has(key)) return undefined;
    fields.set(key, part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (credential === undefined || signedHeaders === undefined || signature === undefined || fields.size !== 3) return undefined;
  const slash = credential.indexOf('/');
  if (slash <= 0 || !/^[0-9a-f]+$/i.test(signature) || signedHeaders === '') return undefined;
  return {
    algorithm: match[1] as AwsAlgorithm,
    accessKeyId: credential.slice(0, slash),
    scope: credential.slice(slash + 1),
    signedHeaders: signedHeaders.split(';').map((h) => h.toLowerCase()),
    signature,
  };
}

/** The header text for `auth` (the form the SDKs send). */
export function formatAwsAuthorization(auth: AwsAuthorization): string {
  return `${auth.algorithm} Credential=${auth.accessKeyId}/${auth.scope}, SignedHeaders=${auth.signedHeaders.join(';')}, Signature=${auth.signature}`;
}
