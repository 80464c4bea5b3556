import { isAlias, isMap, isScalar, isSeq, Pair, Scalar, visit, YAMLMap, type Document, type Node } from 'yaml';
import type { KeySegment } from '../key-path.js';
import { configSchema, dereference, schemaAt, type SchemaNode } from '../schema.js';
import type { ConfigEdit } from './edit-types.js';
import { inputNode } from './scalar-input.js';

/** An edit that could not be applied, at the key it was meant for. */
export interface EditProblem {
  segments: KeySegment[];
  message: string;
}

/** What {@link applyEdits} produced. */
export interface AppliedEdits {
  /** A copy of the Document with the edits applied; the input is not changed. */
  document: Document;
  problems: EditProblem[];
}

const REPO_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

type Carried = Pick<Node, 'comment' | 'commentBefore' | 'spaceBefore'>;

function carryComments(from: unknown, to: Node): void {
  if (from === null || typeof from !== 'object') return;
  const source = from as Carried;
  if (source.comment !== undefined && source.comment !== null) to.comment = source.comment;
  if (source.commentBefore !== undefined && source.commentBefore !== null) to.commentBefore = source.commentBefore;
  if (source.spaceBefore === true) to.spaceBefore = true;
}

function itemsSchema(schema: SchemaNode | undefined): SchemaNode | undefined {
  const root = configSchema().schema;
  return typeof schema?.items === 'object' && schema.items !== null ? dereference(root, schema.items as SchemaNode) : undefined;
}

/** True when the schema gives the key at `segments` a default, on the property or on what it refers to. */
function hasDefault(root: SchemaNode, segments: readonly KeySegment[]): boolean {
  const parent = schemaAt(root, segments.slice(0, -1));
  const key = segments[segments.length - 1];
  if (parent === undefined || typeof key !== 'string') return false;
  const properties = parent.properties as Record<string, SchemaNode> | undefined;
  const own = properties?.[key] ?? (typeof parent.additionalProperties === 'object' ? parent.additionalProperties as SchemaNode : undefined);
  return own !== undefined && (own.default !== undefined || dereference(root, own).default !== undefined);
}

/**
 * Sets `key` in `map`: in place when it exists; a new key goes before the
 * first existing key that comes after it in the schema (so a form filled in
 * any order still reads in the documented order), else at the end. An empty
 * flow mapping (`repos: {}`) turns into a block one as it gets its first key.
 */
function insertKey(root: SchemaNode, map: YAMLMap, mapSegments: readonly KeySegment[], key: string, value: Node): void {
  if (map.has(key)) {
    map.set(key, value);
    return;
  }
  if (map.items.length === 0) map.flow = false;
  const order = Object.keys((schemaAt(root, mapSegments)?.properties as Record<string, unknown> | undefined) ?? {});
  const rank = order.indexOf(key);
  const pair = new Pair(new Scalar(key), value);
  const before = rank < 0 ? -1 : map.items.findIndex((item) => {
    const other = order.indexOf(isScalar(item.key) ? String(item.key.value) : '');
    return other > rank;
  });
  if (before < 0) map.items.push(pair);
  else map.items.splice(before, 0, pair);
  const next = map.items[1]?.key;
  if (before === 0 && mapSegments.length === 0 && isScalar(next) && next.commentBefore) {
    // The comment above the first key of the file is the file's header: it stays on top.
    (pair.key as Scalar).commentBefore = next.commentBefore;
    next.commentBefore = undefined;
  }
}

/** Block style for collections typed as flow YAML (`[{a: 1}]`), as the rest of the file is written. */
function blockStyle(node: Node): void {
  visit(node, { Collection: (_key, collection) => { collection.flow = false; } });
}

/**
 * Applies editor changes to a copy of a config Document. Unchanged keys keep
 * their comments, order and tags; a changed scalar keeps its comments and its
 * place; `!env`/`!var` references stay unless a value replaces them. Edits
 * that cannot apply are returned as problems and leave the Document as it was.
 */
export function applyEdits(original: Document, edits: readonly ConfigEdit[]): AppliedEdits {
  const document = original.clone();
  const problems: EditProblem[] = [];
  const root = configSchema().schema;

  const rootMap = (): YAMLMap => {
    if (isMap(document.contents)) return document.contents;
    const map = new YAMLMap();
    carryComments(document.contents, map);
    document.contents = map;
    return map;
  };

  /** The mapping at `segments`, created on the way when `create`; undefined (with a problem) when something else is there. */
  const mapAt = (segments: readonly KeySegment[], create: boolean, problemAt: KeySegment[]): YAMLMap | undefined => {
    let map = rootMap();
    for (const [depth, segment] of segments.entries()) {
      const child: unknown = map.get(segment, true);
      if (isMap(child)) {
        map = child;
        continue;
      }
      const here = segments.slice(0, depth + 1);
      if (isAlias(child)) {
        problems.push({ segments: problemAt, message: `${here.join('.')} is a YAML alias; edit it in the file itself` });
        return undefined;
      }
      const empty = child === undefined || child === null || (isScalar(child) && (child.value === null || child.value === undefined));
      if (!empty) {
        problems.push({ segments: problemAt, message: `${here.join('.')} is not a mapping in the file, so nothing can be set inside it` });
        return undefined;
      }
      if (!create) return undefined;
      const created = new YAMLMap();
      carryComments(child, created);
      if (typeof segment === 'string') insertKey(root, map, segments.slice(0, depth), segment, created);
      else map.set(segment, created);
      map = created;
    }
    return map;
  };

  const set = (segments: KeySegment[], value: string | string[]): void => {
    const key = segments[segments.length - 1];
    if (key === undefined || typeof key === 'number') {
      problems.push({ segments, message: 'only keys of mappings can be set' });
      return;
    }
    const schema = schemaAt(root, segments);
    const result = inputNode(value, schema, itemsSchema(schema));
    if ('problem' in result) {
      problems.push({ segments, message: result.problem });
      return;
    }
    const parent = mapAt(segments.slice(0, -1), true, segments);
    if (parent === undefined) return;
    const existing: unknown = parent.get(key, true);
    const next = result.node;
    if (isScalar(existing) && isScalar(next)) {
      // Keep the node: its comments and quoting stay; only value and tag change.
      existing.value = next.value;
      existing.tag = next.tag;
      return;
    }
    blockStyle(next);
    if (isSeq(existing) && isSeq(next)) next.flow = existing.flow;
    carryComments(existing, next);
    insertKey(root, parent, segments.slice(0, -1), key, next);
  };

  /** Removes mappings left empty by a delete when an empty mapping means the same as none (the schema gives a default). */
  const prune = (segments: KeySegment[]): void => {
    for (let depth = segments.length; depth > 0; depth--) {
      const path = segments.slice(0, depth);
      if (!hasDefault(root, path)) return;
      const map = mapAt(path, false, path);
      if (map === undefined || map.items.length > 0) return;
      const parent = mapAt(path.slice(0, -1), false, path);
      parent?.delete(path[path.length - 1]);
    }
  };

  const remove = (segments: KeySegment[], what: string, mustExist: boolean): void => {
    const parent = mapAt(segments.slice(0, -1), false, segments);
    const key = segments[segments.length - 1];
    const removed = parent !== undefined && key !== undefined && parent.delete(key);
    if (!removed && mustExist) {
      problems.push({ segments, message: `${what} is not in the file` });
      return;
    }
    prune(segments.slice(0, -1));
  };

  for (const edit of edits) {
    switch (edit.op) {
      case 'set':
        set(edit.path, edit.value);
        break;
      case 'delete':
        remove(edit.path, 'the key', false);
        break;
      case 'addObject':
        mapAt(edit.path, true, edit.path);
        break;
      case 'addRepo': {
        const at = ['repos', edit.id];
        if (!REPO_ID.test(edit.id)) {
          problems.push({ segments: at, message: `invalid repo id ${JSON.stringify(edit.id)}: use lowercase letters, digits, "-" and "_", starting with a letter or digit, at most 64 characters` });
        } else if (mapAt(['repos'], false, at)?.has(edit.id) === true) {
          problems.push({ segments: at, message: `repo ${JSON.stringify(edit.id)} already exists` });
        } else {
          mapAt(at, true, at);
        }
        break;
      }
      case 'removeRepo':
        remove(['repos', edit.id], `repo ${JSON.stringify(edit.id)}`, true);
        break;
    }
  }
  return { document, problems };
}
