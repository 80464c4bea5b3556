import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { SchemaNode } from '../config/schema.js';

/** `sandbox.schema.json` at the package root (the same depth from src/ and dist/). */
export const SANDBOX_SCHEMA_PATH = fileURLToPath(new URL('../../../sandbox.schema.json', import.meta.url));

/** Annotation keywords the schema shares with airut.schema.json; ajv accepts them without checking. */
const ANNOTATIONS = ['x-pattern-hint', 'x-secret'];

let cached: { schema: SchemaNode; validate: ValidateFunction } | undefined;

/**
 * The parsed schema of `.airut/sandbox.yaml` and its validator, compiled once
 * per process on first use. The validator fills in defaults as it validates.
 */
export function sandboxSchema(): { schema: SchemaNode; validate: ValidateFunction } {
  if (cached === undefined) {
    const schema = JSON.parse(readFileSync(SANDBOX_SCHEMA_PATH, 'utf8')) as SchemaNode;
    const ajv = new Ajv2020({ allErrors: true, useDefaults: true, verbose: true, strict: true, allowUnionTypes: true });
    ajv.addVocabulary(ANNOTATIONS);
    cached = { schema, validate: ajv.compile(schema) };
  }
  return cached;
}
