import { isAlias, isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { KeySegment } from './key-path.js';
import type { EntryPart, SourceMap } from './source-map.js';
import { EnvReference, VarReference } from './tags.js';

/** A problem found while reading, before its location is looked up. */
export interface ReadProblem {
  segments: KeySegment[];
  part: EntryPart;
  message: string;
}

/** The plain value of a config Document, with `!env` and `!var` resolved. */
export interface ReadResult {
  /** Plain JSON-like data; keys whose optional `!env NAME?` is unset are left out. */
  value: unknown;
  problems: ReadProblem[];
  /** Paths whose value is text from the environment, which may need converting to a number or boolean. */
  fromEnvironment: KeySegment[][];
}

const OMIT = Symbol('omit');

interface VarValue {
  value: unknown;
  fromEnvironment: boolean;
}

const TAG_HELP = 'Airut understands !env NAME, !env NAME? and !var NAME';
const CORE_TAG_PREFIX = 'tag:yaml.org,2002:';

/**
 * Turns the parsed Document into plain data, resolving `!env` from `env` and
 * `!var` from the top-level `vars:` mapping, and records where every entry is
 * in `sourceMap`. Reading goes on after a problem so all of them are reported;
 * a value that could not be resolved becomes `null` (its key stays, so later
 * checks do not report the same key as missing).
 */
export function readDocument(
  doc: Document,
  source: string,
  env: Readonly<Record<string, string | undefined>>,
  sourceMap: SourceMap,
  dotenvPath = 'the .env file beside the config',
): ReadResult {
  const valueStart = (node: unknown): number | undefined => startWithProperties(source, node);
  const problems: ReadProblem[] = [];
  const fromEnvironment: KeySegment[][] = [];
  const vars = new Map<string, VarValue | typeof OMIT | null>();

  const problem = (segments: KeySegment[], message: string, part: EntryPart = 'value'): void => {
    problems.push({ segments, part, message });
  };

  const checkTag = (node: Node, segments: KeySegment[], scalar: boolean): boolean => {
    const tag = node.tag;
    if (tag === undefined || tag.startsWith(CORE_TAG_PREFIX)) return true;
    if (tag === '!env' || tag === '!var') {
      if (scalar) return true;
      problem(segments, `${tag} applies to a single value, not to a ${isMap(node) ? 'mapping' : 'list'}`);
      return false;
    }
    problem(segments, `unknown tag ${JSON.stringify(tag)}; ${TAG_HELP}`);
    return false;
  };

  const resolveEnv = (ref: EnvReference, segments: KeySegment[]): { value: unknown; fromEnvironment: boolean } | typeof OMIT => {
    const value = env[ref.name];
    if (value !== undefined) return { value, fromEnvironment: true };
    if (ref.optional) return OMIT;
    problem(segments, `environment variable ${ref.name} is not set (from !env ${ref.name}); set it in the environment or in ${dotenvPath}, or write "!env ${ref.name}?" if the key may be left out`);
    return { value: null, fromEnvironment: false };
  };

  const resolveVar = (ref: VarReference, segments: KeySegment[]): { value: unknown; fromEnvironment: boolean } | typeof OMIT => {
    if (!vars.has(ref.name)) {
      const defined = [...vars.keys()];
      problem(segments, defined.length === 0
        ? `unknown variable ${JSON.stringify(ref.name)} (from !var ${ref.name}); no variables are defined: add it under a top-level vars: mapping`
        : `unknown variable ${JSON.stringify(ref.name)} (from !var ${ref.name}); vars: defines ${defined.map((name) => JSON.stringify(name)).join(', ')}`);
      return { value: null, fromEnvironment: false };
    }
    const bound = vars.get(ref.name);
    if (bound === OMIT) return OMIT;
    return bound ?? { value: null, fromEnvironment: false };
  };

  const readNode = (node: unknown, segments: KeySegment[]): unknown => {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return readNode(node.resolve(doc), segments);
    if (isMap(node)) {
      if (!checkTag(node, segments, false)) return null;
      const out: Record<string, unknown> = {};
      // `<<: *defaults` merge keys first, so keys written in this mapping win over merged ones.
      for (const pair of node.items) {
        if (isScalar(pair.key) && pair.key.value === '<<' && pair.key.tag === undefined) Object.assign(out, readMerge(pair.value, segments));
      }
      for (const pair of node.items) {
        const keyNode = pair.key;
        if (isScalar(keyNode) && keyNode.value === '<<' && keyNode.tag === undefined) continue;
        let key: string;
        if (keyNode === null || keyNode === undefined) key = '';
        else if (isScalar(keyNode)) {
          if (keyNode.value instanceof EnvReference || keyNode.value instanceof VarReference) {
            problem(segments, `${keyNode.tag ?? 'a tag'} cannot be used on a key; only values can come from !env or !var`);
            continue;
          }
          key = String(keyNode.value);
        } else {
          problem(segments, 'a key must be a single value, not a mapping or list');
          continue;
        }
        const childSegments = [...segments, key];
        const valueNode = pair.value;
        sourceMap.record(childSegments, { key: rangeStart(keyNode), value: valueStart(valueNode) });
        const value = segments.length === 0 && key === 'vars' ? readVars(valueNode, childSegments) : readNode(valueNode, childSegments);
        if (value !== OMIT) out[key] = value;
      }
      return out;
    }
    if (isSeq(node)) {
      if (!checkTag(node, segments, false)) return null;
      const out: unknown[] = [];
      for (const item of node.items) {
        // Indexes count the items kept, so later locations match the data that is validated.
        const childSegments = [...segments, out.length];
        sourceMap.record(childSegments, { value: valueStart(item) });
        const value = readNode(item, childSegments);
        if (value !== OMIT) out.push(value);
      }
      return out;
    }
    if (isScalar(node)) {
      if (!checkTag(node, segments, true)) return null;
      const resolved = node.value instanceof EnvReference ? resolveEnv(node.value, segments)
        : node.value instanceof VarReference ? resolveVar(node.value, segments)
          : undefined;
      if (resolved === undefined) return node.value;
      if (resolved === OMIT) return OMIT;
      if (resolved.fromEnvironment) fromEnvironment.push(segments);
      return resolved.value;
    }
    problem(segments, 'unsupported YAML node');
    return null;
  };

  /** The entries a merge key brings in: one mapping or a list of them, earlier ones winning. */
  const readMerge = (node: unknown, segments: KeySegment[]): Record<string, unknown> => {
    const sources = isSeq(node) ? [...node.items].reverse() : [node];
    const merged: Record<string, unknown> = {};
    for (const source of sources) {
      const target = isAlias(source) ? source.resolve(doc) : source;
      if (!isMap(target)) {
        problem(segments, 'a merge key (<<) needs a mapping or a list of mappings, e.g. "<<: *defaults"', 'key');
        continue;
      }
      Object.assign(merged, readNode(target, segments));
    }
    return merged;
  };

  /** Reads `vars:` first of all, so `!var` anywhere (even above it) resolves. */
  const readVars = (node: unknown, segments: KeySegment[]): unknown => {
    const target = isAlias(node) ? node.resolve(doc) : node;
    if (!isMap(target)) return readNode(target, segments); // the schema reports the wrong type
    const out: Record<string, unknown> = {};
    for (const pair of target.items) {
      const keyNode = pair.key;
      const name = isScalar(keyNode) && !(keyNode.value instanceof EnvReference || keyNode.value instanceof VarReference) ? String(keyNode.value) : undefined;
      if (name === undefined) {
        problem(segments, 'variable names must be plain text');
        continue;
      }
      const childSegments = [...segments, name];
      const valueNode = isAlias(pair.value) ? pair.value.resolve(doc) : pair.value;
      sourceMap.record(childSegments, { key: rangeStart(keyNode), value: valueStart(valueNode) });
      if (isScalar(valueNode) && valueNode.value instanceof VarReference) {
        problem(childSegments, `!var cannot be used inside vars: (no variable may refer to another); write the value or an !env reference`);
        vars.set(name, null);
        out[name] = null;
        continue;
      }
      if (isMap(valueNode) || isSeq(valueNode)) {
        problem(childSegments, `variable values must be single values (text, number, true/false), not a ${isMap(valueNode) ? 'mapping' : 'list'}`);
        vars.set(name, null);
        out[name] = null;
        continue;
      }
      const before = fromEnvironment.length;
      const value = readNode(valueNode, childSegments);
      if (value === OMIT) {
        vars.set(name, OMIT);
        continue;
      }
      vars.set(name, { value, fromEnvironment: fromEnvironment.length > before });
      out[name] = value;
    }
    return out;
  };

  // vars: is read before anything else, wherever it is in the file.
  const root = doc.contents;
  if (isMap(root)) {
    const varsPair = root.items.find((pair) => isScalar(pair.key) && pair.key.value === 'vars');
    if (varsPair !== undefined) readVars(varsPair.value, ['vars']);
  }
  problems.length = 0; // the full walk below reports vars: problems again, in order
  fromEnvironment.length = 0;
  const value = readNode(root, []);
  return { value: value === OMIT ? null : value, problems, fromEnvironment };
}

function rangeStart(node: unknown): number | undefined {
  if (typeof node !== 'object' || node === null || !('range' in node)) return undefined;
  const range = (node as { range?: [number, number, number] | null }).range;
  return range?.[0];
}

/**
 * Where a value starts as the operator sees it: the yaml library's range starts
 * after a tag or anchor (`!env NAME`, `&senders [...]`), but a message about the
 * value should point at the tag. Looks back on the same line only.
 */
function startWithProperties(source: string, node: unknown): number | undefined {
  const start = rangeStart(node);
  if (start === undefined || typeof node !== 'object' || node === null) return start;
  const { tag, anchor } = node as { tag?: string; anchor?: string };
  const marks = [tag !== undefined && !tag.startsWith(CORE_TAG_PREFIX) ? tag : undefined, anchor === undefined ? undefined : `&${anchor}`]
    .filter((mark): mark is string => mark !== undefined);
  if (marks.length === 0) return start;
  const lineStart = source.lastIndexOf('\n', start - 1) + 1;
  const before = source.slice(lineStart, start);
  const found = marks.map((mark) => before.lastIndexOf(mark)).filter((index) => index >= 0);
  return found.length === 0 ? start : lineStart + Math.min(...found);
}
