import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';

/** Where tests put screenshots (gitignored). */
export const TEST_OUTPUT = join(import.meta.dirname, '..', '..', 'test-output');

/**
 * Headless Chromium with the flags this machine needs (no sandbox as root, no
 * calls to outside hosts). Fails with the install command when it is missing.
 */
export async function launchBrowser(): Promise<Browser> {
  await readFile(CHROMIUM).catch((error: unknown) => {
    throw new Error(`${CHROMIUM} is missing; install it with: apt-get install -y --no-install-recommends chromium`, { cause: error });
  });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
}

/** What a saved screenshot looks like, enough to tell a page from a blank one. */
export interface ScreenshotFacts {
  path: string;
  bytes: number;
  /** Distinct byte values in the decompressed image data; a blank page has very few. */
  distinctValues: number;
}

/** Saves `png` under test-output/NAME.png and measures it. */
export async function saveScreenshot(name: string, png: Buffer): Promise<ScreenshotFacts> {
  await mkdir(TEST_OUTPUT, { recursive: true });
  const path = join(TEST_OUTPUT, `${name}.png`);
  await writeFile(path, png);
  const chunks: Buffer[] = [];
  for (let offset = 8; offset < png.length;) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    if (type === 'IDAT') chunks.push(png.subarray(offset + 8, offset + 8 + length));
    offset += 12 + length;
  }
  const pixels = inflateSync(Buffer.concat(chunks));
  return { path, bytes: png.length, distinctValues: new Set(pixels).size };
}
