import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

/** The package whose dist-tags define the channels. */
const MAIN_PACKAGE = '@anthropic-ai/claude-code';

/** One file (or pax record) in a test tarball. */
export interface TarEntry {
  path: string;
  body: Buffer | string;
  /** `0` regular file (default), `5` directory, `x` pax header, `2` symlink. */
  type?: string;
  mode?: number;
}

/** Builds a ustar archive the way npm packs one: 512-byte headers, padded bodies, two zero blocks. */
export function makeTar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const body = Buffer.isBuffer(entry.body) ? entry.body : Buffer.from(entry.body);
    const header = Buffer.alloc(512);
    header.write(entry.path.slice(0, 100), 0, 'utf8');
    header.write(`${(entry.mode ?? 0o755).toString(8).padStart(7, '0')}\0`, 100, 'ascii');
    header.write('0000000\0', 108, 'ascii');
    header.write('0000000\0', 116, 'ascii');
    header.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
    header.write(`${Math.floor(Date.UTC(1985, 9, 26) / 1000).toString(8).padStart(11, '0')}\0`, 136, 'ascii');
    header.write(entry.type ?? '0', 156, 'ascii');
    header.write('ustar\0', 257, 'ascii');
    header.write('00', 263, 'ascii');
    header.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of header) sum += b;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    parts.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** A pax extended header record `LEN key=value\n`. */
export function paxRecord(key: string, value: string): string {
  const tail = ` ${key}=${value}\n`;
  let length = tail.length + 1;
  while (`${length}${tail}`.length !== length) length = `${length}${tail}`.length;
  return `${length}${tail}`;
}

/** A gzipped npm-style package holding `package/claude` with `script` as its content. */
export function makePackage(script: Buffer | string, extra: readonly TarEntry[] = []): Buffer {
  return gzipSync(makeTar([
    { path: 'package/package.json', body: '{"name":"@anthropic-ai/claude-code-linux-x64"}', mode: 0o644 },
    ...extra,
    { path: 'package/claude', body: script },
    { path: 'package/README.md', body: 'readme\n', mode: 0o644 },
  ]));
}

/** SRI sha512 of `data`. */
export function sri(data: Buffer): string {
  return `sha512-${createHash('sha512').update(data).digest('base64')}`;
}

/** How the stand-in serves one version's tarball. */
export interface PublishOptions {
  /** The .tgz to serve; default: a package whose claude prints the version. */
  tarball?: Buffer;
  /** Integrity advertised in the packument; default: the real one. */
  integrity?: string;
  /** Send this many bytes, then cut the connection. */
  truncateAt?: number;
  /** Omit Content-Length (chunked transfer). */
  chunked?: boolean;
  /** Held back until this resolves, to overlap concurrent callers. */
  gate?: Promise<void>;
}

/** What the stand-in saw. */
export interface RegistryRequest {
  method: string;
  url: string;
  authorization: string | undefined;
}

/**
 * A local stand-in for the npm registry on 127.0.0.1: serves the packument of
 * one platform package, that of the main package `@anthropic-ai/claude-code`
 * (same versions, its own dist-tags if set), and tarballs built by the test,
 * and records every request.
 */
export class FakeRegistry {
  readonly requests: RegistryRequest[] = [];
  /** Dist-tags of the platform package. */
  readonly distTags: Record<string, string> = {};
  /**
   * Dist-tags of the main package `@anthropic-ai/claude-code`, which also
   * lists every published version. Unset: the same as {@link distTags}.
   */
  mainDistTags: Record<string, string> | undefined;
  /** Answer the main package's document with this status instead (e.g. 404). */
  mainStatus: number | undefined;
  readonly packageName: string;
  private readonly versions = new Map<string, { tarball: Buffer; options: PublishOptions }>();
  private readonly server: Server;
  private packumentWaiters: Array<{ count: number; resolve: () => void }> = [];

  private constructor(packageName: string) {
    this.packageName = packageName;
    this.server = createServer((req, res) => this.handle(req, res));
  }

  /** Starts a stand-in for `packageName` on an ephemeral loopback port. */
  static async start(packageName = '@anthropic-ai/claude-code-linux-x64'): Promise<FakeRegistry> {
    const registry = new FakeRegistry(packageName);
    await new Promise<void>((resolve) => registry.server.listen(0, '127.0.0.1', resolve));
    return registry;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  /** Publishes `version`; its claude is a shell script printing `claude <version>`. */
  publish(version: string, options: PublishOptions = {}): Buffer {
    const tarball = options.tarball ?? makePackage(versionScript(version));
    this.versions.set(version, { tarball, options });
    return tarball;
  }

  /** Requests for tarballs, for the platform package's document, or for the main package's. */
  count(kind: 'packument' | 'tarball' | 'main'): number {
    const main = (r: RegistryRequest): boolean => decodeURIComponent(r.url) === `/${MAIN_PACKAGE}`;
    return this.requests.filter((r) => (kind === 'tarball' ? r.url.endsWith('.tgz') : kind === 'main' ? main(r) : !r.url.endsWith('.tgz') && !main(r))).length;
  }

  /** Resolves once `count` packument requests have arrived. */
  packumentRequests(count: number): Promise<void> {
    if (this.count('packument') >= count) return Promise.resolve();
    return new Promise((resolve) => this.packumentWaiters.push({ count, resolve }));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    this.requests.push({ method: req.method ?? '', url, authorization: req.headers.authorization });
    if (url === `/${MAIN_PACKAGE.replace('/', '%2f')}` || url === `/${MAIN_PACKAGE}`) {
      if (this.mainStatus !== undefined) res.writeHead(this.mainStatus, { 'content-type': 'application/json' }).end('{"error":"stand-in"}');
      else this.servePackument(res, MAIN_PACKAGE, this.mainDistTags ?? this.distTags);
      return;
    }
    const encoded = `/${this.packageName.replace('/', '%2f')}`;
    if (url === encoded || url === `/${this.packageName}`) {
      this.servePackument(res, this.packageName, this.distTags);
      const n = this.count('packument');
      this.packumentWaiters = this.packumentWaiters.filter((w) => (n >= w.count ? (w.resolve(), false) : true));
      return;
    }
    const m = /^\/tarballs\/(.+)\.tgz$/.exec(url);
    const entry = m?.[1] === undefined ? undefined : this.versions.get(m[1]);
    if (!entry) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    void this.serveTarball(entry.tarball, entry.options, res);
  }

  private servePackument(res: ServerResponse, name: string, distTags: Record<string, string>): void {
    const versions: Record<string, unknown> = {};
    for (const [version, { tarball, options }] of this.versions) {
      versions[version] = {
        name,
        version,
        dist: { integrity: options.integrity ?? sri(tarball), tarball: `${this.url}tarballs/${version}.tgz` },
      };
    }
    res.writeHead(200, { 'content-type': 'application/vnd.npm.install-v1+json' });
    res.end(JSON.stringify({ name, 'dist-tags': distTags, versions }));
  }

  private async serveTarball(tarball: Buffer, options: PublishOptions, res: ServerResponse): Promise<void> {
    await options.gate;
    const headers: Record<string, string | number> = { 'content-type': 'application/octet-stream' };
    if (!options.chunked) headers['content-length'] = tarball.length;
    res.writeHead(200, headers);
    if (options.truncateAt === undefined) {
      res.end(tarball);
      return;
    }
    res.write(tarball.subarray(0, options.truncateAt), () => res.socket?.destroy());
  }
}

/** The claude stand-in: a script that prints its version like the real one. */
export function versionScript(version: string): string {
  return `#!/bin/sh\necho "${version} (Claude Code)"\n`;
}
