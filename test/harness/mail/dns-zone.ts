/**
 * Test domains for mail authentication: a DKIM key per domain and a stub DNS
 * resolver (mailauth's resolver signature) answering only from these records,
 * so nothing is ever looked up on the real network.
 */
import { generateKeyPairSync } from 'node:crypto';

/** One test domain with its DKIM selector and private key. */
export interface TestDomain {
  domain: string;
  selector: string;
  privateKey: string;
  /** The TXT value published under `<selector>._domainkey.<domain>`. */
  dkimRecord: string;
}

/** Makes a domain with a fresh 2048-bit RSA DKIM key. */
export function createTestDomain(domain: string, selector = 'test'): TestDomain {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const spki = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  return {
    domain,
    selector,
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    dkimRecord: `v=DKIM1; k=rsa; p=${spki}`,
  };
}

/**
 * A resolver over `domains`: DKIM keys, `p=reject` DMARC, and SPF records that
 * authorise no host, so DMARC passes only through an aligned DKIM signature.
 */
export function stubResolver(domains: readonly TestDomain[]): (name: string, rrtype: string) => Promise<string[][]> {
  const txt = new Map<string, string>();
  for (const d of domains) {
    txt.set(`${d.selector}._domainkey.${d.domain}`, d.dkimRecord);
    txt.set(`_dmarc.${d.domain}`, 'v=DMARC1; p=reject');
    txt.set(d.domain, 'v=spf1 -all');
  }
  return (name, rrtype) => {
    const value = rrtype.toUpperCase() === 'TXT' ? txt.get(name.toLowerCase().replace(/\.$/, '')) : undefined;
    if (value === undefined) {
      const err = Object.assign(new Error(`stub DNS: no ${rrtype} record for ${name}`), { code: 'ENOTFOUND' });
      return Promise.reject(err);
    }
    // TXT answers are split into 255-byte strings, as real DNS does.
    return Promise.resolve([value.match(/.{1,255}/g) ?? [value]]);
  };
}
