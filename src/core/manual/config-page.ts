import { titleLine } from './command-page.js';
import type { ManProgram } from './model.js';
import { bold, italic, paragraphs, roffText, taggedParagraph } from './roff.js';

/** The subset of JSON Schema the config page reads. */
export interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, SchemaNode>;
  patternProperties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  $defs?: Record<string, SchemaNode>;
  title?: string;
}

interface Entry {
  path: string;
  node: SchemaNode;
}

function resolve(root: SchemaNode, node: SchemaNode, seen: ReadonlySet<string> = new Set()): SchemaNode {
  if (!node.$ref) return node;
  const name = node.$ref.replace(/^#\/\$defs\//, '');
  const target = root.$defs?.[name];
  if (!target || seen.has(name)) return node;
  // Sibling keywords (description, default) on the $ref node win over the target's.
  const { $ref: _ref, ...rest } = node;
  return { ...resolve(root, target, new Set([...seen, name])), ...rest };
}

function typeName(root: SchemaNode, raw: SchemaNode): string {
  const node = resolve(root, raw);
  if (node.enum) return `one of ${node.enum.map((value) => JSON.stringify(value)).join(', ')}`;
  if (node.const !== undefined) return JSON.stringify(node.const);
  const variants = node.oneOf ?? node.anyOf;
  if (variants) return variants.map((variant) => typeName(root, variant)).join(' or ');
  const type = Array.isArray(node.type) ? node.type.join(' or ') : node.type;
  if (type === 'array' && node.items) return `list of ${typeName(root, node.items)}`;
  if (type === 'object' && !node.properties && (node.patternProperties || typeof node.additionalProperties === 'object')) return 'map';
  return type ?? 'value';
}

function mapValue(node: SchemaNode): SchemaNode | undefined {
  const pattern = node.patternProperties ? Object.values(node.patternProperties)[0] : undefined;
  return pattern ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined);
}

function collect(root: SchemaNode, raw: SchemaNode, path: string, out: Entry[], depth: number): void {
  const node = resolve(root, raw);
  if (path) out.push({ path, node });
  if (depth > 8) return;
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    collect(root, child, path ? `${path}.${key}` : key, out, depth + 1);
  }
  const value = mapValue(node);
  if (value && node.properties === undefined) {
    const valueNode = resolve(root, value);
    if (valueNode.properties) collect(root, value, `${path}.<${path === 'repos' ? 'id' : 'name'}>`, out, depth + 1);
  }
}

function entryText(root: SchemaNode, entry: Entry): string {
  const parts = [entry.node.description ?? '', `Type: ${typeName(root, entry.node)}.`];
  if (entry.node.default !== undefined) parts.push(`Default: ${JSON.stringify(entry.node.default)}.`);
  return parts.filter(Boolean).join(' ');
}

/** Renders the configuration file's page (`airut.yaml.5`) from the JSON Schema. */
export function renderConfigPage(program: ManProgram, schema: SchemaNode, configPath: string): string {
  const entries: Entry[] = [];
  collect(schema, schema, '', entries, 0);
  const topLevel = Object.keys(schema.properties ?? {});
  const lines: string[] = [
    titleLine(`${program.name}.yaml`, 5, program),
    '.SH NAME',
    `${program.name}.yaml \\- the Airut server configuration`,
    '.SH SYNOPSIS',
    italic(configPath),
    '.SH DESCRIPTION',
    ...paragraphs(schema.description ?? ''),
    '.PP',
    roffText('The JSON Schema airut.schema.json, shipped with the package, describes the same keys for editors (point a YAML language server at it). Run airut check to validate a file.'),
  ];
  for (const section of topLevel) {
    lines.push(`.SH ${roffText(section.toUpperCase())}`);
    for (const entry of entries.filter((item) => item.path === section || item.path.startsWith(`${section}.`))) {
      lines.push(...taggedParagraph(bold(entry.path), entryText(schema, entry)));
    }
  }
  lines.push('.SH SEE ALSO', roffText(`${program.name}(1), ${program.name}-check(1)`));
  return `${lines.join('\n')}\n`;
}
