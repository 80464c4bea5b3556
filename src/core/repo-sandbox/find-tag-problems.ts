import { isAlias, isMap, isScalar, isSeq, type Document } from 'yaml';
import { EnvReference, VarReference, type KeySegment } from '../config/index.js';

/** A problem with an `!env` or `!var` tag, at the key path of its value. */
export interface TagProblem {
  segments: KeySegment[];
  message: string;
}

/** Every tagged scalar of the document with its key path (list items by their index in the file). */
function taggedScalars(doc: Document): { segments: KeySegment[]; value: EnvReference | VarReference }[] {
  const found: { segments: KeySegment[]; value: EnvReference | VarReference }[] = [];
  const walk = (node: unknown, segments: KeySegment[]): void => {
    if (isAlias(node)) return; // an alias repeats a node already walked where it was anchored
    if (isMap(node)) {
      for (const pair of node.items) walk(pair.value, [...segments, isScalar(pair.key) ? String(pair.key.value) : '']);
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => walk(item, [...segments, index]));
    } else if (isScalar(node) && (node.value instanceof EnvReference || node.value instanceof VarReference)) {
      found.push({ segments, value: node.value });
    }
  };
  walk(doc.contents, []);
  return found;
}

/**
 * The `!env` references whose variable is unset (fail closed: never an empty
 * secret), and the other tag problems: `!var` has no `vars:` to read from in
 * `.airut/sandbox.yaml`.
 */
export function findTagProblems(doc: Document, env: Readonly<Record<string, string | undefined>>): { unsetEnv: TagProblem[]; other: TagProblem[] } {
  const unsetEnv: TagProblem[] = [];
  const other: TagProblem[] = [];
  for (const { segments, value } of taggedScalars(doc)) {
    if (value instanceof VarReference) {
      other.push({ segments, message: `!var ${value.name} cannot be used here: .airut/sandbox.yaml has no vars:; write the value itself or "!env NAME"` });
    } else if (env[value.name] === undefined && !value.optional) {
      unsetEnv.push({ segments, message: `environment variable '${value.name}' is not set; set it in the environment that runs airut, or write "!env ${value.name}?" to leave the key out when it is unset` });
    }
  }
  return { unsetEnv, other };
}

/** Names of masked secrets whose `value:` is an `!env NAME?` with NAME unset. */
export function unsetOptionalSecrets(doc: Document, env: Readonly<Record<string, string | undefined>>): string[] {
  return taggedScalars(doc)
    .filter(({ segments, value }) => segments.length === 3 && segments[0] === 'masked_secrets' && segments[2] === 'value'
      && value instanceof EnvReference && value.optional && env[value.name] === undefined)
    .map(({ segments }) => String(segments[1]));
}

/**
 * The variable each `!env NAME` of `section.<entry>.<key>` reads, keyed
 * `entry.key`: a signing credential's surrogates go into the variables its
 * real values came from.
 */
export function envReferenceNames(doc: Document, section: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const { segments, value } of taggedScalars(doc)) {
    if (segments.length === 3 && segments[0] === section && value instanceof EnvReference) names.set(`${String(segments[1])}.${String(segments[2])}`, value.name);
  }
  return names;
}
