import { randomBytes } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Test } from 'tap';
import { makePackage, sri } from './fake-registry.js';

/** The only version the stalling registry publishes (also its `latest`). */
export const STALLING_VERSION = '2.1.400';

/** What {@link stallingRegistry} hands a test. */
export interface StallingRegistry {
  url: string;
  /** Settles when the first tarball request has been answered with half its body. */
  tarballStarted: Promise<void>;
  tarballRequests: () => number;
}

/**
 * An npm registry stand-in on 127.0.0.1 for any package name: its tarball
 * sends the first half and then stalls, so a download stays in flight until
 * it is aborted. Closed at teardown.
 */
export async function stallingRegistry(t: Test): Promise<StallingRegistry> {
  const tarball = makePackage(Buffer.concat([Buffer.from('#!/bin/sh\n'), randomBytes(512 * 1024)]));
  let tarballs = 0;
  let started!: () => void;
  const tarballStarted = new Promise<void>((resolve) => { started = resolve; });
  const open: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(req.url ?? '/');
    if (path.endsWith('.tgz')) {
      tarballs += 1;
      open.push(res);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': tarball.length });
      res.write(tarball.subarray(0, tarball.length / 2), () => started());
      return;
    }
    const name = path.slice(1);
    const versions = { [STALLING_VERSION]: { name, version: STALLING_VERSION, dist: { integrity: sri(tarball), tarball: `${url}tarballs/${STALLING_VERSION}.tgz` } } };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name, 'dist-tags': { latest: STALLING_VERSION, stable: STALLING_VERSION }, versions }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  t.teardown(() => new Promise<void>((resolve) => {
    for (const res of open) res.destroy();
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { url, tarballStarted, tarballRequests: () => tarballs };
}
