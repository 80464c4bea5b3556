import type { KeySegment } from './key-path.js';
import { configSchema, schemaAt } from './schema.js';

/**
 * True when the schema marks the value at `segments` as a secret (`x-secret`):
 * passwords, tokens, credential values. Editors mask these; logs redact them.
 */
export function isSecretPath(segments: readonly KeySegment[]): boolean {
  return schemaAt(configSchema().schema, segments)?.['x-secret'] === true;
}

/**
 * Every non-empty secret value in a config (resolved from `!env` or written
 * in the file), for registering with log redaction.
 */
export function secretValues(config: unknown): string[] {
  const found = new Set<string>();
  const visit = (value: unknown, segments: KeySegment[]): void => {
    if (typeof value === 'string') {
      if (value !== '' && isSecretPath(segments)) found.add(value);
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, [...segments, index]));
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) visit(child, [...segments, key]);
    }
  };
  visit(config, []);
  return [...found];
}
