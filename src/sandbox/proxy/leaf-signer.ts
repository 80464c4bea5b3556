import type { webcrypto } from 'node:crypto';
import { randomSerial } from '../network/ca/create-ca.js';
import { ECDSA_P256, x509 } from '../network/ca/x509.js';

/** Signs a leaf certificate for one DNS name; resolves with its PEM. */
export type SignLeaf = (name: string, notBefore: Date, notAfter: Date) => Promise<string>;

/**
 * The X.509 half of leaf minting, loaded on demand: `@peculiar/x509` costs
 * most of the proxy's start-up, so the proxy announces itself first and
 * loads this while the task container starts.
 */
export async function createLeafSigner(caCertPem: string, caKey: webcrypto.CryptoKey, leafPublicKey: webcrypto.CryptoKey): Promise<SignLeaf> {
  const caCert = new x509.X509Certificate(caCertPem);
  const authorityKeyId = await x509.AuthorityKeyIdentifierExtension.create(caCert);
  return async (name, notBefore, notAfter) => {
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: [{ CN: [name] }],
      issuer: caCert.subject,
      notBefore,
      notAfter,
      publicKey: leafPublicKey,
      signingKey: caKey,
      signingAlgorithm: ECDSA_P256,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: name }]),
        authorityKeyId,
      ],
    });
    return `${cert.toString('pem')}\n`;
  };
}
