import t from 'tap';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCHEMA_PATH } from '../../../src/core/config/index.js';

// No silent keys: every key airut.schema.json accepts must be read by the
// running code, or be refused when the config loads. A key that validates and
// then does nothing (a credential that never reaches the task, say) is worse
// than an unknown key, which at least gets an error.

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));
/** Generated from the schema: mentioning a key there consumes nothing. */
const GENERATED = new Set([join(SRC, 'core/config/schema-types.ts')]);


async function sourceText(dir: string): Promise<string> {
  let text = '';
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) text += await sourceText(path);
    else if (/\.(ts|tsx)$/.test(entry.name) && !GENERATED.has(path)) text += `${await readFile(path, 'utf8')}\n`;
  }
  return text;
}

function schemaKeys(node: unknown, out: Set<string>): Set<string> {
  if (typeof node !== 'object' || node === null) return out;
  const properties = (node as { properties?: Record<string, unknown> }).properties;
  if (properties !== undefined) for (const name of Object.keys(properties)) out.add(name);
  for (const child of Object.values(node)) schemaKeys(child, out);
  return out;
}

void t.test('every key of airut.schema.json is read by the code or refused at load', async (t) => {
  const keys = schemaKeys(JSON.parse(await readFile(SCHEMA_PATH, 'utf8')), new Set());
  const source = await sourceText(SRC);
  // Read as a property (`.key`, `key:` in a pattern or literal) or by name (`'key'`, `"key"`, `` `key` ``).
  const consumed = (key: string): boolean => new RegExp(`(\\.${key}\\b|\\b${key}\\??:|['"\`]${key}['"\`])`).test(source);
  const unread = [...keys].filter((key) => !consumed(key));
  t.strictSame(unread, [], 'schema keys no code reads (implement them, or refuse them at load with a message naming them)');
  t.ok(keys.size > 50, `the walk found the schema's keys (${keys.size})`);
});
