import type { KeySegment } from './key-path.js';
import { schemaAt, type SchemaNode } from './schema.js';

const TRUE = /^(true|yes|on|1)$/i;
const FALSE = /^(false|no|off|0)$/i;

function convert(text: string, types: readonly unknown[]): unknown {
  // Where text is valid, keep it: only convert for keys that cannot hold text.
  if (types.includes('string')) return text;
  const trimmed = text.trim();
  if (types.includes('integer') && /^[+-]?\d+$/.test(trimmed)) return Number(trimmed);
  if (types.includes('number') && trimmed !== '' && Number.isFinite(Number(trimmed))) return Number(trimmed);
  if (types.includes('boolean')) {
    if (TRUE.test(trimmed)) return true;
    if (FALSE.test(trimmed)) return false;
  }
  return text;
}

/**
 * Environment variables are text; a `!env` on a port or a flag means its number
 * or truth value. Converts the values at `paths` (in place) to the type the
 * schema wants there, leaving text that does not convert for the schema to report.
 */
export function coerceEnvironmentValues(root: SchemaNode, data: unknown, paths: readonly KeySegment[][]): void {
  for (const path of paths) {
    if (path.length === 0) continue;
    let parent: unknown = data;
    for (const segment of path.slice(0, -1)) parent = (parent as Record<string | number, unknown> | undefined)?.[segment];
    const last = path[path.length - 1] as KeySegment;
    if (typeof parent !== 'object' || parent === null) continue;
    const container = parent as Record<string | number, unknown>;
    const value = container[last];
    const type = schemaAt(root, path)?.type;
    if (typeof value !== 'string' || type === undefined) continue;
    container[last] = convert(value, Array.isArray(type) ? type : [type]);
  }
}
