import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

/** A JSON Schema node, as read from `airut.schema.json`. */
export type SchemaNode = Readonly<Record<string, unknown>>;

/** `airut.schema.json` at the package root (the same depth from src/ and dist/). */
export const SCHEMA_PATH = fileURLToPath(new URL('../../../airut.schema.json', import.meta.url));

/** Annotation keywords of Airut's schemas that ajv must accept but not check. */
const ANNOTATIONS = ['x-pattern-hint', 'x-secret'];

/**
 * Reads a JSON Schema file of the package and compiles it the way every Airut
 * schema is checked: all errors, defaults filled in, strict, with the
 * `ip-address` format and the annotation keywords.
 */
export function compileSchemaFile(path: string): { schema: SchemaNode; validate: ValidateFunction } {
  const schema = JSON.parse(readFileSync(path, 'utf8')) as SchemaNode;
  const ajv = new Ajv2020({ allErrors: true, useDefaults: true, verbose: true, strict: true, allowUnionTypes: true });
  ajv.addVocabulary(ANNOTATIONS);
  ajv.addFormat('ip-address', { type: 'string', validate: (value: string) => isIP(value) !== 0 });
  return { schema, validate: ajv.compile(schema) };
}

let cached: { schema: SchemaNode; validate: ValidateFunction } | undefined;

/**
 * The parsed schema and its compiled validator. Compiled once per process on
 * first use: both are immutable, and compiling costs tens of milliseconds.
 * The validator fills in defaults as it validates.
 */
export function configSchema(): { schema: SchemaNode; validate: ValidateFunction } {
  cached ??= compileSchemaFile(SCHEMA_PATH);
  return cached;
}

/** Follows a local `$ref` (`#/$defs/name`); other nodes are returned as they are. */
export function dereference(root: SchemaNode, node: SchemaNode): SchemaNode {
  let current = node;
  for (let hops = 0; typeof current.$ref === 'string' && hops < 16; hops++) {
    const path = current.$ref.replace(/^#\//, '').split('/');
    let target: unknown = root;
    for (const key of path) target = (target as Record<string, unknown> | undefined)?.[key];
    if (typeof target !== 'object' || target === null) return current;
    current = target as SchemaNode;
  }
  return current;
}

/** The schema of the value at `segments`, or undefined when the schema does not describe it. */
export function schemaAt(root: SchemaNode, segments: readonly (string | number)[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = dereference(root, root);
  for (const segment of segments) {
    if (node === undefined) return undefined;
    const next: unknown = typeof segment === 'number'
      ? node.items
      : (node.properties as Record<string, unknown> | undefined)?.[segment] ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined);
    node = typeof next === 'object' && next !== null ? dereference(root, next as SchemaNode) : undefined;
  }
  return node;
}
