import { relative, resolve, sep } from 'node:path';
import { resolveRelative } from './import-specifiers.js';

/**
 * Fails an import from outside the sandbox library into its internals: only
 * the entry (`src/sandbox/index.ts`, imported as `index.js`) may be named, and
 * its light error entry (`src/sandbox/error.ts`: the error base and its type
 * guard, with no imports) for code that must not load the whole library, such
 * as the command base every CLI start goes through.
 * Why: the sandbox is a standalone library (`airut/sandbox`); what core needs
 * is its public API, so internals can move without touching core.
 * Options: `sandbox` (the library folder, default `src/sandbox`, relative to
 * the working directory).
 * @type {import('eslint').Rule.RuleModule}
 */
export default {
  meta: {
    type: 'problem',
    docs: { description: 'Import the sandbox library only through its entry' },
    schema: [{ type: 'object', properties: { sandbox: { type: 'string' } }, additionalProperties: false }],
    messages: {
      internal: "'{{specifier}}' reaches into the sandbox's internals ({{target}}). Import from its entry ({{entry}}) and export what is needed there.",
    },
  },
  create(context) {
    const sandbox = resolve(context.cwd, context.options[0]?.sandbox ?? 'src/sandbox');
    const file = context.filename;
    const inside = (path) => {
      const rel = relative(sandbox, path);
      return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && resolve(sandbox, rel) === path);
    };
    // The library's own files import each other freely.
    if (inside(file)) return {};
    const entries = new Set(['index', 'error'].flatMap((name) => [name, `${name}.js`, `${name}.ts`]).map((name) => resolve(sandbox, name)));
    const check = (node, specifier) => {
      if (typeof specifier !== 'string') return;
      const target = resolveRelative(file, specifier);
      if (target === undefined || !inside(target) || entries.has(target)) return;
      context.report({
        node,
        messageId: 'internal',
        data: { specifier, target: relative(context.cwd, target), entry: relative(context.cwd, resolve(sandbox, 'index.ts')) },
      });
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
