/**
 * Derives the TypeScript types of the server config from `airut.schema.json`.
 *
 * Run `npm run generate:types` after changing the schema; a test fails while the
 * committed `src/core/config/schema-types.ts` differs from what this renders.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { compile, type JSONSchema } from 'json-schema-to-typescript';

/** The schema file, relative to the repository root. */
export const SCHEMA_FILE = fileURLToPath(new URL('../airut.schema.json', import.meta.url));
/** The generated types file. */
export const TYPES_FILE = fileURLToPath(new URL('../src/core/config/schema-types.ts', import.meta.url));
/** The command that regenerates {@link TYPES_FILE}. */
export const GENERATE_COMMAND = 'npm run generate:types';

const BANNER = `/**
 * Generated from airut.schema.json by scripts/generate-config-types.ts.
 * Do not edit: change the schema and run \`${GENERATE_COMMAND}\`.
 *
 * These are the types of a loaded config, after defaults were applied: a key
 * with a default in the schema is always present here.
 */`;

type SchemaNode = Record<string, unknown>;

function isNode(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Marks every property that has a default as required, because the loader fills
 * defaults in before anyone reads the config. A `$ref` loses its sibling keywords
 * (descriptions for the man page), so that each definition becomes one named type
 * instead of a numbered copy per use.
 */
function requireDefaulted(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(requireDefaulted);
  if (!isNode(node)) return node;
  const copy: SchemaNode = {};
  for (const [key, value] of Object.entries(node)) copy[key] = key === 'default' ? value : requireDefaulted(value);
  if (isNode(copy.properties)) {
    const required = new Set(Array.isArray(copy.required) ? (copy.required as string[]) : []);
    for (const [key, property] of Object.entries(copy.properties)) {
      if (isNode(property) && 'default' in property) required.add(key);
      if (isNode(property) && typeof property.$ref === 'string') copy.properties[key] = { $ref: property.$ref };
    }
    if (required.size > 0) copy.required = [...required];
  }
  return copy;
}

/** Renders the types file for `schema` (the parsed `airut.schema.json`). */
export async function renderConfigTypes(schema: unknown): Promise<string> {
  const resolved = requireDefaulted(schema) as JSONSchema;
  return compile(resolved, 'ServerConfig', {
    bannerComment: BANNER,
    additionalProperties: false,
    strictIndexSignatures: false,
    unknownAny: true,
    declareExternallyReferenced: true,
    unreachableDefinitions: false,
    ignoreMinAndMaxItems: true,
    format: true,
    style: { singleQuote: true, printWidth: 120 },
  });
}

/** Reads the schema and renders the types file from it. */
export async function renderConfigTypesFromFile(): Promise<string> {
  return renderConfigTypes(JSON.parse(await readFile(SCHEMA_FILE, 'utf8')));
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeFile(TYPES_FILE, await renderConfigTypesFromFile());
  console.log(`wrote ${TYPES_FILE}`);
}
