import { Scalar, YAMLSeq, parseDocument, type Node } from 'yaml';
import type { SchemaNode } from '../schema.js';
import { EnvReference, VarReference, configTags } from '../tags.js';

const ENV_REF = /^!env\s+([A-Za-z_][A-Za-z0-9_]*)(\?)?\s*$/;
const VAR_REF = /^!var\s+([A-Za-z_][A-Za-z0-9_-]*)\s*$/;
const INTEGER = /^[+-]?\d+$/;

/** A value typed into the editor, as a YAML node, or why it cannot be one. */
export type InputResult = { node: Node } | { problem: string };

function typesOf(schema: SchemaNode | undefined): string[] {
  const type = schema?.type;
  if (Array.isArray(type)) return type.map(String);
  return typeof type === 'string' ? [type] : [];
}

/** `!env NAME`, `!env NAME?` or `!var NAME` as a tagged scalar; undefined for other text. */
export function referenceNode(text: string): Scalar | undefined {
  const env = ENV_REF.exec(text.trim());
  if (env !== null) {
    const scalar = new Scalar(new EnvReference(env[1] ?? '', env[2] === '?'));
    scalar.tag = '!env';
    return scalar;
  }
  const variable = VAR_REF.exec(text.trim());
  if (variable !== null) {
    const scalar = new Scalar(new VarReference(variable[1] ?? ''));
    scalar.tag = '!var';
    return scalar;
  }
  return undefined;
}

/**
 * The plain value text stands for where the schema wants `schema`: a number
 * for integer/number keys when the text is one, true/false for booleans, else
 * the text itself (so validation can say what is wrong with it).
 */
export function literalValue(text: string, schema: SchemaNode | undefined): string | number | boolean {
  const types = typesOf(schema);
  if (types.includes('string')) return text;
  const trimmed = text.trim();
  if (types.includes('integer') && INTEGER.test(trimmed)) return Number(trimmed);
  if (types.includes('number') && trimmed !== '' && Number.isFinite(Number(trimmed))) return Number(trimmed);
  if (types.includes('boolean') && /^(true|false)$/i.test(trimmed)) return trimmed.toLowerCase() === 'true';
  return text;
}

function scalarInput(text: string, schema: SchemaNode | undefined): InputResult {
  if (text.trimStart().startsWith('!')) {
    const reference = referenceNode(text);
    if (reference === undefined) return { problem: `${JSON.stringify(text)} is not a reference; write "!env NAME", "!env NAME?" or "!var NAME", or a plain value` };
    return { node: reference };
  }
  return { node: new Scalar(literalValue(text, schema)) };
}

function yamlInput(text: string): InputResult {
  const parsed = parseDocument(text, { customTags: configTags, prettyErrors: false });
  const error = parsed.errors[0];
  if (error !== undefined) return { problem: `is not valid YAML: ${(error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}` };
  const contents = parsed.contents;
  return contents === null ? { problem: 'must not be empty' } : { node: contents as Node };
}

/**
 * Turns what the user typed for the key whose schema is `schema` into a YAML
 * node: a list of strings from its items, a mapping or a list of mappings from
 * YAML text (e.g. `[{workspace_members: true}]`), a scalar otherwise.
 */
export function inputNode(value: string | readonly string[], schema: SchemaNode | undefined, itemSchema: SchemaNode | undefined): InputResult {
  if (Array.isArray(value)) {
    const seq = new YAMLSeq();
    for (const item of value as readonly string[]) {
      const result = scalarInput(item, itemSchema);
      if ('problem' in result) return result;
      seq.items.push(result.node);
    }
    return { node: seq };
  }
  const text = value as string;
  const types = typesOf(schema);
  const structured = types.length > 0 && types.every((type) => type === 'object' || type === 'array');
  return structured ? yamlInput(text) : scalarInput(text, schema);
}
