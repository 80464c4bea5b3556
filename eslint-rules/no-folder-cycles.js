import { resolve } from 'node:path';
import { buildFolderGraph, findPath, folderEdge } from './folder-graph.js';
import { folderSegments, resolveRelative } from './import-specifiers.js';

/** How long a folder graph is reused; an editor's long-lived process then sees other files' changes soon after. */
const GRAPH_TTL_MS = 5000;

/** @type {Map<string, { graph: Map<string, Map<string, string>>, at: number }>} */
const graphs = new Map();

function graphFor(root) {
  const cached = graphs.get(root);
  if (cached !== undefined && Date.now() - cached.at < GRAPH_TTL_MS) return cached.graph;
  const graph = buildFolderGraph(root);
  graphs.set(root, { graph, at: Date.now() });
  return graph;
}

/**
 * Fails an import that closes a cycle between folders below `root` (default
 * `src`, relative to the working directory): folder A importing folder B
 * while B, through any chain of folders, imports A. Siblings are compared at
 * the level where their paths part, and a folder's subfolders belong to it.
 * Why: a folder is a layer; a cycle means neither can be understood, tested
 * or replaced without the other.
 * @type {import('eslint').Rule.RuleModule}
 */
export default {
  meta: {
    type: 'problem',
    docs: { description: 'Disallow import cycles between folders' },
    schema: [{ type: 'object', properties: { root: { type: 'string' } }, additionalProperties: false }],
    messages: {
      cycle: "Importing '{{specifier}}' makes {{from}} depend on {{to}}, but {{to}} already depends on {{from}}: {{path}}. Move what both need into the lower folder, or turn the dependency around.",
    },
  },
  create(context) {
    const root = resolve(context.cwd, context.options[0]?.root ?? 'src');
    const file = context.filename;
    const from = folderSegments(root, file);
    if (from === undefined) return {};
    const check = (node, specifier) => {
      if (typeof specifier !== 'string') return;
      const target = resolveRelative(file, specifier);
      if (target === undefined) return;
      const to = folderSegments(root, target);
      if (to === undefined) return;
      const edge = folderEdge(from, to);
      if (edge === undefined) return;
      const back = findPath(graphFor(root), edge[1], edge[0]);
      if (back === undefined) return;
      const path = back.map((step) => `${step.from} -> ${step.to} (${step.via})`).join(', ');
      context.report({ node, messageId: 'cycle', data: { specifier, from: edge[0], to: edge[1], path } });
    };
    const fromSource = (node) => {
      if (node.source) check(node.source, node.source.value);
    };
    return {
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: fromSource,
      ExportAllDeclaration: fromSource,
      ImportExpression(node) {
        if (node.source.type === 'Literal') check(node.source, node.source.value);
      },
      TSImportType(node) {
        const literal = node.argument?.literal ?? node.argument;
        if (literal?.type === 'Literal') check(literal, literal.value);
      },
      TSExternalModuleReference(node) {
        if (node.expression.type === 'Literal') check(node.expression, node.expression.value);
      },
    };
  },
};
