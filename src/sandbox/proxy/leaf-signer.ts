import { randomBytes, sign, type KeyObject } from 'node:crypto';
import {
  bitString, booleanTrue, explicit, ia5String, objectIdentifier, octetString, readCaFields, sequence, time, tlv, unsignedInteger, utf8String,
} from './der.js';

/** Signs a leaf certificate for one DNS name; resolves with its PEM. */
export type SignLeaf = (name: string, notBefore: Date, notAfter: Date) => Promise<string>;

const ECDSA_WITH_SHA256 = sequence(objectIdentifier('1.2.840.10045.4.3.2'));
const COMMON_NAME = objectIdentifier('2.5.4.3');

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return sequence(objectIdentifier(oid), ...(critical ? [booleanTrue()] : []), octetString(value));
}

/**
 * Leaf certificates for this proxy: X.509 v3, ECDSA P-256 with SHA-256,
 * issuer = the CA's subject, one DNS subject alternative name, not a CA
 * (critical), digital signature only (critical), server authentication,
 * and the CA's key identifier as authority key identifier.
 *
 * @param caCertDer the CA certificate (DER)
 * @param caKey the CA's private key
 * @param leafPublicKey the one public key of every leaf of this process
 */
export function createLeafSigner(caCertDer: Buffer, caKey: KeyObject, leafPublicKey: KeyObject): SignLeaf {
  const ca = readCaFields(caCertDer);
  const spki = leafPublicKey.export({ type: 'spki', format: 'der' });
  const authorityKeyId = ca.keyIdentifier === undefined ? [] : [extension('2.5.29.35', false, sequence(tlv(0x80, ca.keyIdentifier)))];
  return (name, notBefore, notAfter) => {
    const serial = randomBytes(16);
    serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x01;
    const tbs = sequence(
      explicit(0, unsignedInteger(Buffer.from([2]))),
      unsignedInteger(serial),
      ECDSA_WITH_SHA256,
      ca.subject,
      sequence(time(notBefore), time(notAfter)),
      sequence(tlv(0x31, sequence(COMMON_NAME, utf8String(name)))),
      spki,
      explicit(3, sequence(
        extension('2.5.29.19', true, sequence()),
        extension('2.5.29.15', true, bitString(Buffer.from([0x80]), 7)),
        extension('2.5.29.37', false, sequence(objectIdentifier('1.3.6.1.5.5.7.3.1'))),
        extension('2.5.29.17', false, sequence(ia5String(0x82, name))),
        ...authorityKeyId,
      )),
    );
    const signature = sign('sha256', tbs, { key: caKey, dsaEncoding: 'der' });
    const der = sequence(tbs, ECDSA_WITH_SHA256, bitString(signature));
    const body = der.toString('base64').match(/.{1,64}/g) ?? [];
    return Promise.resolve(`-----BEGIN CERTIFICATE-----\n${body.join('\n')}\n-----END CERTIFICATE-----\n`);
  };
}
