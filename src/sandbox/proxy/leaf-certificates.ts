import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { createSecureContext, type SecureContext } from 'node:tls';
import { createLeafSigner, type SignLeaf } from './leaf-signer.js';

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
 *
 * The CA is parsed and its key imported with Node's own crypto at creation,
 * so an unusable CA fails the start; leaves are written with the small DER
 * encoder in der.ts and signed with Node's crypto.
 */
export class LeafCertificates {
  private readonly cache = new Map<string, Promise<SecureContext>>();

  private constructor(
    private readonly caNotAfter: Date,
    private readonly sign: SignLeaf,
    private readonly leafKeyPem: string,
    private readonly now: () => Date,
  ) {}

  /**
   * Loads the CA (PEM certificate and PKCS#8 PEM key) and generates this
   * process's leaf key.
   * @throws Error when either PEM is unusable; the caller wraps it.
   */
  static create(caCertPem: string, caKeyPem: string, now: () => Date = () => new Date()): Promise<LeafCertificates> {
    // A throw inside the executor becomes the rejection.
    return new Promise((resolve) => resolve(LeafCertificates.load(caCertPem, caKeyPem, now)));
  }

  private static load(caCertPem: string, caKeyPem: string, now: () => Date): LeafCertificates {
    const caCert = new X509Certificate(caCertPem);
    if (!caCert.ca) throw new Error(`the certificate (${caCert.subject.replace(/\n/g, ', ')}) is not a CA`);
    if (!/-----BEGIN PRIVATE KEY-----/.test(caKeyPem)) throw new Error('no "PRIVATE KEY" PEM block (PKCS#8) found');
    const caKey = createPrivateKey(caKeyPem);
    if (caKey.asymmetricKeyType !== 'ec' || caKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new Error(`the CA key is ${caKey.asymmetricKeyType ?? '?'} ${caKey.asymmetricKeyDetails?.namedCurve ?? ''}, not ECDSA P-256`);
    }
    if (!caCert.checkPrivateKey(caKey)) throw new Error('the CA key does not belong to the CA certificate');
    const leafKeys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const leafKeyPem = leafKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const sign = createLeafSigner(caCert.raw, caKey, leafKeys.publicKey);
    return new LeafCertificates(new Date(caCert.validTo), sign, leafKeyPem, now);
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
    const notAfter = Math.min(now + LEAF_VALIDITY_DAYS * DAY_MS, this.caNotAfter.getTime());
    return createSecureContext({
      key: this.leafKeyPem,
      cert: await this.sign(name, new Date(now - DAY_MS), new Date(notAfter)),
      minVersion: 'TLSv1.2',
    });
  }
}
