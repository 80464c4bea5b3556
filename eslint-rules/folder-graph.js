import { folderSegments, moduleSpecifiers, readSource, resolveRelative, sourceFiles } from './import-specifiers.js';

/**
 * The folder edge an import makes, compared at the level where the two paths
 * part: `core/dashboard/pages/x.ts` importing `core/gateway/y.ts` is the edge
 * `core/dashboard -> core/gateway`. A folder and its own subfolders are one
 * unit, so an import between a folder and one of its descendants (an entry
 * re-exporting its parts, a part using the area's base error) makes no edge.
 * @param {string[]} from importer's folder segments
 * @param {string[]} to target's folder segments
 * @returns {[string, string] | undefined}
 */
export function folderEdge(from, to) {
  let i = 0;
  while (i < from.length && i < to.length && from[i] === to[i]) i++;
  if (i === from.length || i === to.length) return undefined;
  return [from.slice(0, i + 1).join('/'), to.slice(0, i + 1).join('/')];
}

/**
 * The folder graph below `root`: for each folder edge, one example import
 * (`file -> specifier`) that makes it.
 * @param {string} root absolute path
 * @returns {Map<string, Map<string, string>>}
 */
export function buildFolderGraph(root) {
  /** @type {Map<string, Map<string, string>>} */
  const graph = new Map();
  for (const file of sourceFiles(root)) {
    const from = folderSegments(root, file);
    if (from === undefined) continue;
    for (const specifier of moduleSpecifiers(readSource(file))) {
      const target = resolveRelative(file, specifier);
      if (target === undefined) continue;
      const to = folderSegments(root, target);
      if (to === undefined) continue;
      const edge = folderEdge(from, to);
      if (edge === undefined) continue;
      const [a, b] = edge;
      if (!graph.has(a)) graph.set(a, new Map());
      const out = graph.get(a);
      if (!out.has(b)) out.set(b, `${file.slice(root.length + 1)} -> ${specifier}`);
    }
  }
  return graph;
}

/**
 * A path of folder edges from `start` to `goal`, each with its example
 * import, or undefined when `goal` cannot be reached (breadth first, so the
 * shortest).
 * @param {Map<string, Map<string, string>>} graph
 * @param {string} start
 * @param {string} goal
 * @returns {{ from: string, to: string, via: string }[] | undefined}
 */
export function findPath(graph, start, goal) {
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift();
    if (node === goal) {
      const path = [];
      for (let at = goal; previous.get(at) !== undefined; at = previous.get(at).from) path.unshift(previous.get(at));
      return path;
    }
    for (const [next, via] of graph.get(node) ?? []) {
      if (previous.has(next)) continue;
      previous.set(next, { from: node, to: next, via });
      queue.push(next);
    }
  }
  return undefined;
}
