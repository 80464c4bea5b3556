import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import type { Test } from 'tap';

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

/** Saves the screenshot under test-output/ and asserts it shows a page, not a blank. */
export async function checkScreenshot(t: Test, name: string, png: Buffer): Promise<void> {
  const facts = await saveScreenshot(name, png);
  t.ok(facts.bytes > 5000, `${name}.png has content (${facts.bytes} bytes)`);
  t.ok(facts.distinctValues > 20, `${name}.png is not blank (${facts.distinctValues} distinct values)`);
}

/** What a page on another origin got when it tried to POST to the dashboard. */
export interface CrossOriginOutcomes {
  /** A no-cors POST without the custom header: the response type ("opaque") or the error. */
  simple: string;
  /** A POST with the custom header: the status if the browser let it through, or `refused: ...`. */
  withHeader: string;
}

/**
 * CSRF attempt: a page served from another origin (a plain server without the
 * dashboard's CSP) POSTs to `target` both ways a forged form or script could.
 */
export async function crossOriginPosts(t: Test, browser: Browser, target: string): Promise<CrossOriginOutcomes> {
  const evil = createServer((_req, res) => { res.writeHead(200, { 'Content-Type': 'text/html' }); res.end('<!doctype html><title>elsewhere</title>'); });
  await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => { evil.close(() => resolve()); evil.closeAllConnections(); }));
  const attacker = await browser.newPage();
  t.teardown(() => attacker.close());
  await attacker.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
  return attacker.evaluate(async (url) => {
    const simple = await fetch(url, { method: 'POST', mode: 'no-cors', body: 'x' }).then((r) => r.type, (e: unknown) => String(e));
    const withHeader = await fetch(url, { method: 'POST', headers: { 'X-Airut-Request': '1' } }).then((r) => String(r.status), (e: unknown) => `refused: ${String(e)}`);
    return { simple, withHeader };
  }, target);
}
