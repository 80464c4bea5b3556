import { createECDH, createHmac, createPrivateKey, sign, type KeyObject } from 'node:crypto';

/** The SigV4A algorithm name, as in the `Authorization` header. */
export const SIGV4A_ALGORITHM = 'AWS4-ECDSA-P256-SHA256';

/** Order of the P-256 group. */
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** A SigV4A key pair: the ECDSA P-256 key AWS derives from an access key. */
export interface SigV4aKey {
  readonly privateKey: KeyObject;
  /** The public point's coordinates, 32 bytes each. */
  readonly x: Buffer;
  readonly y: Buffer;
}

/**
 * Derives the SigV4A key of an access key (AWS-04): NIST SP 800-108 HMAC
 * counter mode keyed with `"AWS4A" + secret`, label `AWS4-ECDSA-P256-SHA256`,
 * context `accessKeyId ‖ counter`, 256 bits; the first candidate c with
 * c ≤ n − 2 gives the private scalar c + 1.
 *
 * @throws Error when no counter up to 254 gives a candidate (never, in practice)
 */
export function deriveSigV4aKey(accessKeyId: string, secretAccessKey: string): SigV4aKey {
  const label = Buffer.from(SIGV4A_ALGORITHM);
  for (let counter = 1; counter <= 254; counter++) {
    const fixedInput = Buffer.concat([
      Buffer.from([0, 0, 0, 1]), label, Buffer.from([0]), Buffer.from(accessKeyId), Buffer.from([counter]), Buffer.from([0, 0, 1, 0]),
    ]);
    const candidate = BigInt(`0x${createHmac('sha256', `AWS4A${secretAccessKey}`).update(fixedInput).digest('hex')}`);
    if (candidate > N - 2n) continue;
    const d = Buffer.from((candidate + 1n).toString(16).padStart(64, '0'), 'hex');
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(d);
    const point = ecdh.getPublicKey();
    const x = point.subarray(1, 33);
    const y = point.subarray(33, 65);
    const privateKey = createPrivateKey({ key: { kty: 'EC', crv: 'P-256', d: d.toString('base64url'), x: x.toString('base64url'), y: y.toString('base64url') }, format: 'jwk' });
    return { privateKey, x, y };
  }
  throw new Error('no SigV4A key candidate below the group order');
}

/** The hex DER ECDSA signature of `stringToSign` (SHA-256) under `key`. */
export function signSigV4a(key: SigV4aKey, stringToSign: string): string {
  return sign('sha256', Buffer.from(stringToSign, 'utf8'), { key: key.privateKey, dsaEncoding: 'der' }).toString('hex');
}
