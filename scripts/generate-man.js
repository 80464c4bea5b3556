#!/usr/bin/env node
// Regenerates man/ from the built command metadata and airut.schema.json.
// Run after `npm run build`: npm run generate:man
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildManPages } from '../dist/core/manual/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'man');
const pages = await buildManPages(root);
await mkdir(dir, { recursive: true });
for (const name of await readdir(dir)) {
  if (!pages.has(name)) await rm(join(dir, name));
}
for (const [name, text] of pages) {
  await writeFile(join(dir, name), text);
}
console.log(`wrote ${pages.size} pages to man/`);
