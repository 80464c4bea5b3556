import type { webcrypto } from 'node:crypto';
import { createSecureContext, type SecureContext } from 'node:tls';
import { randomSerial } from '../network/ca/create-ca.js';
import { ECDSA_P256, fromPem, subtle, toPem, x509 } from '../network/ca/x509.js';

const DAY_MS = 86_400_000;
/** Leaves outlive any task; a proxy lives for one task. */
const LEAF_VALIDITY_DAYS = 30;
/** Bound on distinct names cached; a client cycling through random SNI names must not grow memory without limit. */
const MAX_CACHED = 1024;
const SNI_NAME = /^[a-z0-9_-]{1,63}(\.[a-z0-9_-]{1,63})*$/;

/**
 * Mints and caches TLS server contexts for the names clients ask for (SNI),
 * signed by Airut's CA.
 *
 * One ECDSA P-256 key pair serves every leaf of this proxy process: the key
 * never leaves the process, and reusing it turns a mint into a single
 * signature (a few ms) instead of a key generation. A context is minted once
 * per name and reused for every later handshake.
 */
export class LeafCertificates {
  private readonly cache = new Map<string, Promise<SecureContext>>();

  private constructor(
    private readonly caCert: x509.X509Certificate,
    private readonly caKey: webcrypto.CryptoKey,
    private readonly leafKeys: webcrypto.CryptoKeyPair,
    private readonly leafKeyPem: string,
    private readonly authorityKeyId: x509.Extension,
    private readonly now: () => Date,
  ) {}

  /**
   * Loads the CA (PEM certificate and PKCS#8 PEM key) and generates this
   * process's leaf key.
   * @throws Error when either PEM is unusable; the caller wraps it.
   */
  static async create(caCertPem: string, caKeyPem: string, now: () => Date = () => new Date()): Promise<LeafCertificates> {
    const caCert = new x509.X509Certificate(caCertPem);
    const keyDer = fromPem(caKeyPem, 'PRIVATE KEY');
    if (keyDer === undefined) throw new Error('no "PRIVATE KEY" PEM block (PKCS#8) found');
    const caKey = await subtle.importKey('pkcs8', keyDer, ECDSA_P256, false, ['sign']);
    const leafKeys = await subtle.generateKey(ECDSA_P256, true, ['sign', 'verify']);
    const leafKeyPem = toPem(await subtle.exportKey('pkcs8', leafKeys.privateKey), 'PRIVATE KEY');
    const authorityKeyId = await x509.AuthorityKeyIdentifierExtension.create(caCert);
    return new LeafCertificates(caCert, caKey, leafKeys, leafKeyPem, authorityKeyId, now);
  }

  /** True when `name` is something a leaf may be minted for: a lower-case ASCII DNS name. */
  static isValidName(name: string): boolean {
    return name.length <= 253 && SNI_NAME.test(name);
  }

  /**
   * The server context for `name` (already lower-cased by the caller), minting
   * it on first use. Concurrent handshakes for the same name share one mint.
   */
  contextFor(name: string): Promise<SecureContext> {
    const cached = this.cache.get(name);
    if (cached !== undefined) return cached;
    if (this.cache.size >= MAX_CACHED) {
      // Evict the oldest entry (Map keeps insertion order).
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    const minted = this.mint(name);
    this.cache.set(name, minted);
    minted.catch(() => this.cache.delete(name));
    return minted;
  }

  private async mint(name: string): Promise<SecureContext> {
    const now = this.now().getTime();
    const notAfter = Math.min(now + LEAF_VALIDITY_DAYS * DAY_MS, this.caCert.notAfter.getTime());
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: [{ CN: [name] }],
      issuer: this.caCert.subject,
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(notAfter),
      publicKey: this.leafKeys.publicKey,
      signingKey: this.caKey,
      signingAlgorithm: ECDSA_P256,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: name }]),
        this.authorityKeyId,
      ],
    });
    return createSecureContext({
      key: this.leafKeyPem,
      cert: `${cert.toString('pem')}\n`,
      minVersion: 'TLSv1.2',
    });
  }
}
