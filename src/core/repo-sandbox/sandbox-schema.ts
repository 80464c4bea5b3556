import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { compileSchemaFile, type SchemaNode } from '../config/schema.js';

/** `sandbox.schema.json` at the package root (the same depth from src/ and dist/). */
export const SANDBOX_SCHEMA_PATH = fileURLToPath(new URL('../../../sandbox.schema.json', import.meta.url));

let cached: { schema: SchemaNode; validate: ValidateFunction } | undefined;

/**
 * The parsed schema of `.airut/sandbox.yaml` and its validator, compiled once
 * per process on first use. The validator fills in defaults as it validates.
 */
export function sandboxSchema(): { schema: SchemaNode; validate: ValidateFunction } {
  cached ??= compileSchemaFile(SANDBOX_SCHEMA_PATH);
  return cached;
}
