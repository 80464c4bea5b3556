/**
 * The one entry point to `@peculiar/x509` in this package.
 *
 * The library resolves its internals through tsyringe, which needs the
 * `reflect-metadata` polyfill loaded first; ESM evaluates imports in order, so
 * importing the library through this module guarantees that, and also pins the
 * crypto provider to Node's own WebCrypto (no browser globals in the proxy).
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };

export { ECDSA_P256, fromPem, subtle, toPem } from './pem.js';
