/**
 * The one entry point to `@peculiar/x509` in this package, loaded on first
 * use: only creating a certificate needs it, and loading it costs about
 * 0.15 s, which every command that touches the sandbox would otherwise pay.
 *
 * The library resolves its internals through tsyringe, which needs the
 * `reflect-metadata` polyfill loaded first; loading both here, in that order,
 * guarantees it, and also pins the crypto provider to Node's own WebCrypto
 * (no browser globals in the proxy).
 */
import { webcrypto } from 'node:crypto';
import type * as X509Module from '@peculiar/x509';

type X509 = typeof X509Module;

let loading: Promise<X509> | undefined;

/** `@peculiar/x509`, ready to use (metadata polyfill loaded, Node's WebCrypto as provider). */
export function loadX509(): Promise<X509> {
  loading ??= (async () => {
    await import('reflect-metadata');
    const x509 = await import('@peculiar/x509');
    x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
    return x509;
  })();
  return loading;
}

export { ECDSA_P256, fromPem, subtle, toPem } from './pem.js';
