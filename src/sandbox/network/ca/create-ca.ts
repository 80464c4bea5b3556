import { randomBytes } from 'node:crypto';
import { ECDSA_P256, subtle, toPem } from './pem.js';
import { loadX509 } from './x509.js';

/** A freshly generated CA: certificate and PKCS#8 private key, both PEM. */
export interface CaPem {
  certPem: string;
  keyPem: string;
}

/** How long a new CA is valid. The CA never rotates on its own; see {@link ensureCa}. */
export const CA_VALIDITY_DAYS = 3650;

const DAY_MS = 86_400_000;

/**
 * Generates a self-signed ECDSA P-256 CA for TLS interception.
 *
 * The certificate may only sign end-entity certificates (path length 0), so a
 * leaked leaf key can never mint further certificates. `notBefore` is backdated a
 * day so containers whose clock lags the host still accept it.
 */
export async function createCa(now: Date = new Date()): Promise<CaPem> {
  const x509 = await loadX509();
  const keys = await subtle.generateKey(ECDSA_P256, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: [{ CN: ['Airut Sandbox CA'] }, { O: ['Airut'] }],
    keys,
    signingAlgorithm: ECDSA_P256,
    serialNumber: randomSerial(),
    notBefore: new Date(now.getTime() - DAY_MS),
    notAfter: new Date(now.getTime() + CA_VALIDITY_DAYS * DAY_MS),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = await subtle.exportKey('pkcs8', keys.privateKey);
  return { certPem: cert.toString('pem') + '\n', keyPem: toPem(pkcs8, 'PRIVATE KEY') };
}

/** A positive 128-bit serial in hex (the top bit cleared keeps DER from reading it as negative). */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f | 0x01;
  return Buffer.from(bytes).toString('hex');
}
