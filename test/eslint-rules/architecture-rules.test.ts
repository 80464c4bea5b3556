import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint } from 'eslint';
import t from 'tap';
import tseslint from 'typescript-eslint';
import { REPO_ROOT } from '../harness/repo-root.js';

const repo = REPO_ROOT;
const fixture = join(repo, 'test', 'fixtures', 'lint');
// The rules are plain JavaScript modules loaded by eslint.config.js; load them the same way.
const { architectureConfig } = (await import(pathToFileURL(join(repo, 'eslint-rules', 'index.js')).href)) as {
  architectureConfig: ESLint.Options['overrideConfig'][];
};

/** Lints the fixture tree with only the architecture rules: file -> rule ids reported, in order. */
async function lintFixture(): Promise<Map<string, string[]>> {
  const eslint = new ESLint({
    cwd: fixture,
    overrideConfigFile: true,
    overrideConfig: [{ languageOptions: { parser: tseslint.parser } }, ...(architectureConfig as [])],
  });
  const results = await eslint.lintFiles(['src/**/*.ts']);
  const found = new Map<string, string[]>();
  for (const result of results) {
    found.set(relative(fixture, result.filePath), result.messages.map((message) => message.ruleId ?? `fatal: ${message.message}`));
  }
  return found;
}

t.test('deliberate violations fail; the allowed shapes pass', async (t) => {
  const found = await lintFixture();
  const cycle = 'airut/no-folder-cycles';
  const entry = 'airut/sandbox-entry-only';
  t.strictSame(Object.fromEntries(found), {
    'src/core/a/a.ts': [cycle],
    'src/core/b/b.ts': [cycle],
    'src/core/x/sub/deep.ts': [cycle],
    'src/core/x/x.ts': [],
    'src/core/z/z.ts': [cycle],
    'src/core/t1/t1.ts': [cycle],
    'src/core/t2/t2.ts': [cycle],
    'src/core/p/base.ts': [],
    'src/core/p/index.ts': [],
    'src/core/p/q/q.ts': [],
    'src/core/uses/internal.ts': [entry, entry, entry, entry],
    'src/core/uses/entry.ts': [],
    'src/commands/command.ts': [entry],
    'src/sandbox/base.ts': [],
    'src/sandbox/index.ts': [],
    'src/sandbox/runtime/runtime.ts': [],
  });
});

t.test('the messages name the cycle and the entry to use', async (t) => {
  const eslint = new ESLint({
    cwd: fixture,
    overrideConfigFile: true,
    overrideConfig: [{ languageOptions: { parser: tseslint.parser } }, ...(architectureConfig as [])],
  });
  const [deep] = await eslint.lintFiles(['src/core/x/sub/deep.ts']);
  t.match(deep?.messages[0]?.message, "Importing '../../z/z.js' makes core/x depend on core/z, but core/z already depends on core/x: core/z -> core/x (core/z/z.ts -> ../x/x.js)");
  const [internal] = await eslint.lintFiles(['src/commands/command.ts']);
  t.match(internal?.messages[0]?.message, "'../sandbox/runtime/runtime.js' reaches into the sandbox's internals (src/sandbox/runtime/runtime.js). Import from its entry (src/sandbox/index.ts)");
});

t.test("the repository's eslint config turns both rules on for src", async (t) => {
  const eslint = new ESLint({ cwd: repo });
  const core = (await eslint.calculateConfigForFile(join(repo, 'src/core/gateway/service.ts'))) as { rules: Record<string, unknown> };
  t.strictSame(core.rules['airut/no-folder-cycles'], [2]);
  t.strictSame(core.rules['airut/sandbox-entry-only'], [2]);
  const command = (await eslint.calculateConfigForFile(join(repo, 'src/commands/check.ts'))) as { rules: Record<string, unknown> };
  t.strictSame(command.rules['airut/sandbox-entry-only'], [2]);
  const sandbox = (await eslint.calculateConfigForFile(join(repo, 'src/sandbox/network/index.ts'))) as { rules: Record<string, unknown> };
  t.strictSame(sandbox.rules['airut/no-folder-cycles'], [2]);
  t.equal(sandbox.rules['airut/sandbox-entry-only'], undefined, 'the library itself is not fenced from its own files');
});
