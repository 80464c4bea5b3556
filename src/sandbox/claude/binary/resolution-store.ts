import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { isChannel, isExactVersion, type ClaudeChannel } from './version.js';

/** The version a channel pointed at, and when the registry said so. */
export interface Resolution {
  readonly version: string;
  /** Milliseconds since the epoch. */
  readonly resolvedAt: number;
}

/** File name of the channel resolutions inside the cache directory. */
export const RESOLUTIONS_FILE = 'resolved.json';

/**
 * Remembers what `latest` and `stable` resolved to, in
 * `<cacheDir>/resolved.json` (`{"latest": {"version", "resolvedAt"}}` with an
 * ISO timestamp), so a fresh answer saves a registry round trip and an old one
 * is a fallback when the registry is down.
 */
export class ResolutionStore {
  readonly path: string;

  constructor(cacheDir: string) {
    this.path = join(cacheDir, RESOLUTIONS_FILE);
  }

  /** All remembered resolutions; an unreadable or damaged file counts as empty. */
  async read(): Promise<Partial<Record<ClaudeChannel, Resolution>>> {
    let doc: unknown;
    try {
      doc = JSON.parse(await readFile(this.path, 'utf8'));
    } catch {
      // Missing (first run) or damaged (the file is only a cache): start over.
      return {};
    }
    const out: Partial<Record<ClaudeChannel, Resolution>> = {};
    if (typeof doc !== 'object' || doc === null) return out;
    for (const [channel, entry] of Object.entries(doc as Record<string, unknown>)) {
      if (!isChannel(channel) || typeof entry !== 'object' || entry === null) continue;
      const { version, resolvedAt } = entry as Record<string, unknown>;
      const at = typeof resolvedAt === 'string' ? Date.parse(resolvedAt) : NaN;
      if (typeof version === 'string' && isExactVersion(version) && !Number.isNaN(at)) out[channel] = { version, resolvedAt: at };
    }
    return out;
  }

  /** The remembered resolution of one channel. */
  async get(channel: ClaudeChannel): Promise<Resolution | undefined> {
    return (await this.read())[channel];
  }

  /**
   * Records a resolution (temp file + rename, so readers never see half a file).
   * Concurrent writers may lose each other's entry for the other channel; that
   * only costs one extra registry call later.
   */
  async set(channel: ClaudeChannel, resolution: Resolution): Promise<void> {
    const all = await this.read();
    all[channel] = resolution;
    const doc = Object.fromEntries(
      Object.entries(all).map(([key, value]) => [key, { version: value.version, resolvedAt: new Date(value.resolvedAt).toISOString() }]),
    );
    const temp = `${this.path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(dirname(this.path), { recursive: true });
      await writeFile(temp, `${JSON.stringify(doc, null, 2)}\n`);
      await rename(temp, this.path);
    } catch (err) {
      // The temp file may not exist yet; the write error is what matters.
      await unlink(temp).catch(() => undefined);
      throw err;
    }
  }
}
