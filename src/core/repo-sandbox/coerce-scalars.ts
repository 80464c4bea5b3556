import { coerceEnvironmentValues } from '../config/coerce.js';
import type { KeySegment } from '../config/index.js';
import { schemaAt, type SchemaNode } from '../config/schema.js';

function leafPaths(value: unknown, segments: KeySegment[], out: KeySegment[][]): KeySegment[][] {
  if (Array.isArray(value)) value.forEach((item, index) => leafPaths(item, [...segments, index], out));
  else if (typeof value === 'object' && value !== null) for (const [key, item] of Object.entries(value)) leafPaths(item, [...segments, key], out);
  else out.push(segments);
  return out;
}

/**
 * `.airut/sandbox.yaml` has always taken `yes`/`off`/`1` for true/false keys
 * and quoted numbers for numeric ones (YAML 1.2 reads `off` as text, and
 * `!env` values are text), so every scalar is converted, in place, to the type
 * the schema wants where it converts cleanly; anything else is left for the
 * schema to report with its own value.
 */
export function coerceScalars(schema: SchemaNode, data: unknown): void {
  const paths = leafPaths(data, [], []);
  for (const path of paths) {
    // 1 and 0 are true/false too; coerceEnvironmentValues converts text only.
    if (path.length === 0) continue;
    let parent: unknown = data;
    for (const segment of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[segment];
    const container = parent as Record<string | number, unknown>;
    const last = path[path.length - 1] as KeySegment;
    if ((container[last] === 0 || container[last] === 1) && schemaAt(schema, path)?.type === 'boolean') container[last] = String(container[last]);
  }
  coerceEnvironmentValues(schema, data, paths);
}
