import { LineCounter, isMap, isNode, isScalar, parseDocument, type Document } from 'yaml';
import type { Allowlist } from './allowlist.js';
import { AllowlistError, type AllowlistProblem } from './error.js';
import { buildAllowlist, type KeyPath, type SourcePlace } from './validate.js';

/**
 * Finds where a key path is in the file: a mapping entry at its key (which
 * the message names), a list item at the item. A path that is not in the
 * file (a missing key) is reported at its closest ancestor.
 */
function placeLocator(doc: Document, counter: LineCounter): (path: KeyPath) => SourcePlace | undefined {
  const place = (offset: number): SourcePlace => {
    const { line, col } = counter.linePos(offset);
    return { line, column: col };
  };
  return (path) => {
    for (let depth = path.length; depth >= 0; depth -= 1) {
      const last = path[depth - 1];
      if (typeof last === 'string') {
        const parent: unknown = depth === 1 ? doc.contents : doc.getIn(path.slice(0, depth - 1), true);
        const pair = isMap(parent) ? parent.items.find((item) => isScalar(item.key) && String(item.key.value) === last) : undefined;
        if (isNode(pair?.key) && pair.key.range) return place(pair.key.range[0]);
        continue;
      }
      const node: unknown = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range !== undefined && node.range !== null) return place(node.range[0]);
    }
    return undefined;
  };
}

/**
 * Parse and validate the text of `.airut/network-allowlist.yaml`:
 * `domains: [host pattern]` and `url_prefixes: [{host, path?, methods?, graphql?}]`,
 * as network-allowlist.schema.json describes.
 * Despite the key's name, a `path` without `*` or `?` is compared exactly
 * (as in the original), not as a prefix: write `/repos/org/*` for a subtree.
 * An empty document or `{}` gives an allowlist that blocks everything.
 * Validation is strict (unknown keys, wrong types, unusable patterns and
 * unknown methods are errors) because a typo must not silently open or close
 * access. `source` names the file in every message.
 *
 * @throws AllowlistError (`ALLOWLIST_INVALID`) listing every problem with line, column and key path.
 */
export function parseAllowlist(yamlText: string, source: string): Allowlist {
  const counter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter: counter, uniqueKeys: true, prettyErrors: true });
  const syntax = [...doc.errors, ...doc.warnings].map((e): AllowlistProblem => {
    const at = e.linePos?.[0];
    const first = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '');
    return { path: '', message: `not valid YAML: ${first}`, ...(at === undefined ? {} : { line: at.line, column: at.col }) };
  });
  if (syntax.length > 0) throw new AllowlistError(source, syntax);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 50 });
  } catch (error) {
    throw new AllowlistError(source, [{ path: '', message: `cannot be read: ${(error as Error).message}` }], { cause: error });
  }
  return buildAllowlist(value, source, placeLocator(doc, counter));
}
