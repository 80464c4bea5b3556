import { isAlias, isMap, isScalar, isSeq, type Document } from 'yaml';
import type { KeySegment } from '../key-path.js';
import { dereference, type SchemaNode } from '../schema.js';
import { EnvReference, VarReference } from '../tags.js';
import { isSecretField, maskSecret } from './secret-fields.js';

/** The input a field is edited with. */
export type FieldInput = 'text' | 'integer' | 'number' | 'boolean' | 'enum' | 'lines' | 'yaml';

/**
 * A field's current value, safe to send to a browser: references as written
 * (`!env NAME`), secrets masked, never a secret in full.
 */
export interface FieldValue {
  state: 'unset' | 'literal' | 'reference' | 'masked';
  /** The text shown in the input (the mask for `masked`). */
  text: string;
  /** The items of a list of strings. */
  lines?: string[];
}

/** One editable value. */
export interface FormField {
  kind: 'field';
  key: string;
  input: FieldInput;
  description: string;
  /** The schema default as text, shown as a placeholder. */
  default?: string;
  options?: string[];
  secret: boolean;
  required: boolean;
  /** Written in a way the form cannot edit (a YAML alias); edit it in the file. */
  readOnly: boolean;
  value: FieldValue;
}

/** A mapping with fixed keys (a section, a channel block). */
export interface FormGroup {
  kind: 'group';
  key: string;
  title: string;
  description: string;
  required: boolean;
  /** May be added and removed as a whole (no default, not required): channels, OAuth blocks. */
  optional: boolean;
  present: boolean;
  children: FormNode[];
}

/** A mapping with keys of the user's choosing (repos, secrets, variables). */
export interface FormMap {
  kind: 'map';
  key: string;
  title: string;
  description: string;
  keyPattern?: string;
  keyHint?: string;
  entries: FormNode[];
  /** The form of a new entry (its key is filled in by the client). */
  template: FormNode;
}

/** One node of the editor's form, as sent to the browser. */
export type FormNode = FormField | FormGroup | FormMap;

/** Keys the form does not offer: the layout version, and the container runtime command the service runs on the host. */
const HIDDEN = new Set(['config_version', 'execution.container_command']);

function describe(own: SchemaNode, target: SchemaNode): string {
  const text = own.description ?? target.description;
  return typeof text === 'string' ? text : '';
}

function typesOf(schema: SchemaNode): string[] {
  const type = schema.type;
  if (Array.isArray(type)) return type.map(String);
  return typeof type === 'string' ? [type] : [];
}

function defaultText(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.join(', ');
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

function scalarText(node: unknown): { state: FieldValue['state']; text: string } {
  if (!isScalar(node)) return { state: 'unset', text: '' };
  const value = node.value;
  if (value instanceof EnvReference) return { state: 'reference', text: `!env ${value.toString()}` };
  if (value instanceof VarReference) return { state: 'reference', text: `!var ${value.name}` };
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return { state: 'literal', text: String(value) };
  return { state: 'unset', text: '' };
}

/**
 * The editor's form: the schema walked from the top, with the Document's
 * values (masked where secret) attached. Built at request time, so keys added
 * to airut.schema.json appear without editor changes.
 */
export function buildFormModel(root: SchemaNode, document: Document): FormGroup {
  const build = (own: SchemaNode, key: string, segments: KeySegment[], required: boolean, withValues: boolean): FormNode | undefined => {
    if (HIDDEN.has(segments.join('.'))) return undefined;
    const schema = dereference(root, own);
    const node: unknown = withValues && segments.length > 0 ? document.getIn(segments, true) : withValues ? document.contents : undefined;
    const types = typesOf(schema);
    const description = describe(own, schema);
    const properties = schema.properties as Record<string, SchemaNode> | undefined;
    if (types.includes('object') && properties !== undefined) {
      const requiredKeys = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
      const children = Object.entries(properties)
        .map(([childKey, childSchema]) => build(childSchema, childKey, [...segments, childKey], requiredKeys.has(childKey), withValues && isMap(node)))
        .filter((child): child is FormNode => child !== undefined);
      const hasDefault = own.default !== undefined || schema.default !== undefined;
      return {
        kind: 'group', key, title: typeof schema.title === 'string' ? schema.title : key, description, required,
        optional: !required && !hasDefault && segments.length > 0, present: isMap(node), children,
      };
    }
    if (types.includes('object') && typeof schema.additionalProperties === 'object') {
      const itemSchema = schema.additionalProperties as SchemaNode;
      const names = dereference(root, (schema.propertyNames ?? {}) as SchemaNode);
      const entries: FormNode[] = [];
      if (isMap(node)) {
        for (const pair of node.items) {
          if (!isScalar(pair.key)) continue;
          const entryKey = String(pair.key.value);
          const entry = build(itemSchema, entryKey, [...segments, entryKey], false, true);
          if (entry !== undefined) entries.push(entry);
        }
      }
      const template = build(itemSchema, '', [...segments, '*'], false, false);
      if (template === undefined) return undefined;
      return {
        kind: 'map', key, title: typeof schema.title === 'string' ? schema.title : key, description, entries, template,
        ...(typeof names.pattern === 'string' ? { keyPattern: names.pattern } : {}),
        ...(typeof names['x-pattern-hint'] === 'string' ? { keyHint: names['x-pattern-hint'] } : {}),
      };
    }
    return field(own, schema, key, segments, required, node, description);
  };

  const field = (own: SchemaNode, schema: SchemaNode, key: string, segments: KeySegment[], required: boolean, node: unknown, description: string): FormField => {
    const types = typesOf(schema);
    const items = typeof schema.items === 'object' && schema.items !== null ? dereference(root, schema.items as SchemaNode) : undefined;
    const stringList = types.includes('array') && items !== undefined && typesOf(items).every((type) => type === 'string');
    const input: FieldInput = Array.isArray(schema.enum) ? 'enum'
      : stringList ? 'lines'
        : types.includes('array') || types.includes('object') ? 'yaml'
          : types.length === 1 && (types[0] === 'integer' || types[0] === 'number' || types[0] === 'boolean') ? types[0]
            : 'text';
    const secret = isSecretField(segments);
    let value: FieldValue = { state: 'unset', text: '' };
    if (isAlias(node)) value = { state: 'reference', text: `*${node.source}` };
    else if (input === 'lines' && isSeq(node)) {
      const lines = node.items.map((item) => scalarText(item).text);
      value = { state: 'literal', text: lines.join('\n'), lines };
    } else if (input === 'yaml' && node !== undefined && node !== null) {
      value = { state: 'literal', text: yamlText(node) };
    } else {
      const read = scalarText(node);
      value = secret && read.state === 'literal' ? { state: 'masked', text: maskSecret(read.text) } : read;
    }
    const fallback = defaultText(own.default ?? schema.default);
    return {
      kind: 'field', key, input, description, secret, required, readOnly: isAlias(node), value,
      ...(fallback === undefined ? {} : { default: fallback }),
      ...(Array.isArray(schema.enum) ? { options: schema.enum.map(String) } : {}),
    };
  };

  const yamlText = (node: unknown): string => {
    const copy = document.clone();
    copy.contents = node as typeof copy.contents;
    return copy.toString({ collectionStyle: 'flow', lineWidth: 0 }).trim();
  };

  const model = build(root, '', [], true, true);
  if (model?.kind !== 'group') throw new Error('airut.schema.json does not describe a mapping at the top');
  return model;
}
