/**
 * `network-allowlist.schema.json` (at the package root, beside airut.schema.json)
 * compiled with ajv, and ajv's errors said the way an operator reads them.
 * The schema states the shape (keys, types, what is required); the pattern,
 * path and method checks it cannot express live in validate.ts.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

/** Where in the document a problem is: keys and list indexes. */
export type KeyPath = readonly (string | number)[];

/** One schema problem, before it is placed in the source text. */
export interface ShapeProblem {
  readonly path: KeyPath;
  readonly message: string;
}

type SchemaNode = Readonly<Record<string, unknown>>;

/** The schema file; the same depth below the package root from src/ and dist/ (the proxy mounts the whole package). */
export const ALLOWLIST_SCHEMA_PATH = fileURLToPath(new URL('../../../../network-allowlist.schema.json', import.meta.url));

/** Annotation keywords the schema carries for messages; ajv accepts them without checking. */
const ANNOTATIONS = ['x-expected', 'x-null', 'x-missing'];

let compiled: { root: SchemaNode; validate: ValidateFunction } | undefined;

/** Compiled once per process on first use: the schema never changes while it runs. */
function allowlistSchema(): { root: SchemaNode; validate: ValidateFunction } {
  if (compiled === undefined) {
    const root = JSON.parse(readFileSync(ALLOWLIST_SCHEMA_PATH, 'utf8')) as SchemaNode;
    const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
    ajv.addVocabulary(ANNOTATIONS);
    compiled = { root, validate: ajv.compile(root) };
  }
  return compiled;
}

/** The value's kind and content as messages quote it: `number 42`, `the string "x"`, `a list`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
  return typeof value;
}

/** `a, b and c`. */
function listWords(words: readonly string[]): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1] ?? ''}`;
}

/**
 * The schema node for `path`, with the annotations of a `$ref`'s holder laid
 * over its target's (so `queries` keeps its own `x-null` while sharing the
 * field pattern definition).
 */
function schemaAt(root: SchemaNode, path: KeyPath): SchemaNode | undefined {
  const resolve = (node: SchemaNode): SchemaNode => {
    if (typeof node.$ref !== 'string') return node;
    const name = node.$ref.replace(/^#\/\$defs\//, '');
    const target = (root.$defs as Record<string, SchemaNode> | undefined)?.[name];
    return target === undefined ? node : { ...resolve(target), ...node };
  };
  let node: SchemaNode | undefined = resolve(root);
  for (const key of path) {
    if (node === undefined) return undefined;
    const next: unknown = typeof key === 'number' ? node.items : (node.properties as Record<string, unknown> | undefined)?.[key];
    node = typeof next === 'object' && next !== null ? resolve(next as SchemaNode) : undefined;
  }
  return node;
}

function pathOf(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((raw) => {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    return /^\d+$/.test(key) ? Number(key) : key;
  });
}

const TYPE_WORDS: Record<string, string> = { array: 'a list', object: 'a mapping', string: 'a string', number: 'a number', integer: 'an integer', boolean: 'true or false' };

function translate(error: ErrorObject, root: SchemaNode): ShapeProblem {
  // Object keys that look like list indexes are rare here and only affect the printed path.
  const path = pathOf(error.instancePath);
  const params = error.params as Record<string, unknown>;
  const node = schemaAt(root, path);
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const valid = Object.keys((node?.properties as Record<string, unknown> | undefined) ?? {});
      return { path: [...path, key], message: `unknown key ${JSON.stringify(key)}; valid keys are ${listWords(valid)}` };
    }
    case 'required': {
      const key = String(params.missingProperty);
      const why = schemaAt(root, [...path, key])?.['x-missing'];
      return { path, message: `has no ${key}:${typeof why === 'string' ? `; ${why}` : ''}` };
    }
    case 'type': {
      const nullMessage = node?.['x-null'];
      if (error.data === null && typeof nullMessage === 'string') return { path, message: nullMessage };
      const expected = node?.['x-expected'];
      const types = (Array.isArray(params.type) ? params.type : String(params.type).split(',')).map(String).filter((type) => type !== 'null');
      const words = typeof expected === 'string' ? expected : listWords(types.map((type) => TYPE_WORDS[type] ?? type));
      return { path, message: `expected ${words}, got ${describeValue(error.data)}` };
    }
    default:
      return { path, message: `${error.message ?? 'is invalid'} (${error.keyword}), got ${describeValue(error.data)}` };
  }
}

/**
 * Checks `value` against the allowlist schema. Returns one problem per key
 * path (the first ajv names there), in the order ajv found them.
 */
export function findShapeProblems(value: unknown): ShapeProblem[] {
  const { root, validate } = allowlistSchema();
  if (validate(value)) return [];
  const seen = new Set<string>();
  const problems: ShapeProblem[] = [];
  for (const error of validate.errors ?? []) {
    const problem = translate(error, root);
    const key = JSON.stringify(problem.path);
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}
