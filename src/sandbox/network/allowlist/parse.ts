import { LineCounter, isNode, parseDocument, type Document } from 'yaml';
import type { Allowlist } from './allowlist.js';
import { AllowlistError, type AllowlistProblem } from './error.js';
import { buildAllowlist, type KeyPath } from './validate.js';

function lineLocator(doc: Document, counter: LineCounter): (path: KeyPath) => number | undefined {
  return (path) => {
    // Point at the deepest node that exists: a missing key is reported at its parent.
    for (let depth = path.length; depth >= 0; depth -= 1) {
      const node: unknown = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range !== undefined && node.range !== null) {
        return counter.linePos(node.range[0]).line;
      }
    }
    return undefined;
  };
}

/**
 * Parse and validate the text of `.airut/network-allowlist.yaml`:
 * `domains: [host pattern]` and `url_prefixes: [{host, path?, methods?}]`.
 * Despite the key's name, a `path` without `*` or `?` is compared exactly
 * (as in the original), not as a prefix: write `/repos/org/*` for a subtree.
 * An empty document or `{}` gives an allowlist that blocks everything.
 * Validation is strict (unknown keys, wrong types, unusable patterns and
 * unknown methods are errors) because a typo must not silently open or close
 * access. `source` names the file in every message.
 *
 * @throws AllowlistError (`ALLOWLIST_INVALID`) listing every problem with line and key path.
 */
export function parseAllowlist(yamlText: string, source: string): Allowlist {
  const counter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter: counter, uniqueKeys: true, prettyErrors: true });
  const syntax = [...doc.errors, ...doc.warnings].map((e): AllowlistProblem => {
    const line = e.linePos?.[0].line;
    const first = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '');
    return { path: '', message: `not valid YAML: ${first}`, ...(line === undefined ? {} : { line }) };
  });
  if (syntax.length > 0) throw new AllowlistError(source, syntax);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 50 });
  } catch (error) {
    throw new AllowlistError(source, [{ path: '', message: `cannot be read: ${(error as Error).message}` }], { cause: error });
  }
  return buildAllowlist(value, source, lineLocator(doc, counter));
}
