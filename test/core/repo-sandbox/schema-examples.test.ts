import { readFile, readdir, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { parseRepoSandboxConfig } from '../../../src/core/repo-sandbox/index.js';
import { parseAllowlist } from '../../../src/sandbox/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCHEMA_LINE = /^# yaml-language-server: \$schema=(\S+)$/m;

/** Every variable an `!env` names is set, so examples validate for their shape alone. */
const ANY_ENV = new Proxy<Record<string, string>>({}, { get: (_target, name) => (typeof name === 'string' ? `dummy-${name}` : undefined) });

type Kind = 'sandbox' | 'allowlist';

function check(kind: Kind, text: string, source: string): void {
  if (kind === 'sandbox') parseRepoSandboxConfig(text, source, ANY_ENV);
  else parseAllowlist(text, source);
}

/** `.airut/*.yaml` under the test fixtures, and the examples in config/. */
async function exampleFiles(): Promise<{ kind: Kind; path: string }[]> {
  const found: { kind: Kind; path: string }[] = [
    { kind: 'sandbox', path: join(ROOT, 'config', 'sandbox.example.yaml') },
    { kind: 'allowlist', path: join(ROOT, 'config', 'network-allowlist.example.yaml') },
  ];
  const repos = join(ROOT, 'test', 'fixtures', 'repos');
  for (const repo of await readdir(repos)) {
    for (const [name, kind] of [['sandbox.yaml', 'sandbox'], ['network-allowlist.yaml', 'allowlist']] as const) {
      const path = join(repos, repo, '.airut', name);
      if (await stat(path).then(() => true, () => false)) found.push({ kind, path });
    }
  }
  return found;
}

/** Fenced YAML blocks of the Markdown docs whose first line names the file they show. */
async function markdownExamples(): Promise<{ kind: Kind; source: string; text: string }[]> {
  const pages = [join(ROOT, 'README.md'), ...(await readdir(join(ROOT, 'docs'))).filter((name) => name.endsWith('.md')).map((name) => join(ROOT, 'docs', name))];
  const blocks: { kind: Kind; source: string; text: string }[] = [];
  for (const page of pages) {
    const text = await readFile(page, 'utf8');
    for (const match of text.matchAll(/^```yaml\n(# \.airut\/(sandbox|network-allowlist)\.yaml[^\n]*\n[\s\S]*?)^```$/gm)) {
      const line = text.slice(0, match.index).split('\n').length;
      blocks.push({ kind: match[2] === 'sandbox' ? 'sandbox' : 'allowlist', source: `${relative(ROOT, page)}:${line}`, text: match[1] ?? '' });
    }
  }
  return blocks;
}

void t.test('every example file validates against its schema and points editors at it', async (t) => {
  const files = await exampleFiles();
  t.ok(files.length >= 4, `examples found: ${files.map((file) => relative(ROOT, file.path)).join(', ')}`);
  for (const { kind, path } of files) {
    const text = await readFile(path, 'utf8');
    t.doesNotThrow(() => check(kind, text, path), relative(ROOT, path));
    const schema = SCHEMA_LINE.exec(text)?.[1];
    t.equal(schema === undefined ? undefined : resolve(dirname(path), schema), join(ROOT, kind === 'sandbox' ? 'sandbox.schema.json' : 'network-allowlist.schema.json'), `${relative(ROOT, path)} names its schema`);
  }
});

void t.test('every sandbox.yaml and allowlist example in the Markdown docs validates', async (t) => {
  const blocks = await markdownExamples();
  t.ok(blocks.some((block) => block.kind === 'sandbox') && blocks.some((block) => block.kind === 'allowlist'), `blocks found: ${blocks.map((block) => block.source).join(', ')}`);
  for (const { kind, source, text } of blocks) t.doesNotThrow(() => check(kind, text, source), source);
});

void t.test('the schemas ship with the package and describe every key they allow', async (t) => {
  const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
  for (const name of ['sandbox.schema.json', 'network-allowlist.schema.json']) {
    t.ok(manifest.files.includes(name), `${name} is in package.json files`);
    const schema = JSON.parse(await readFile(join(ROOT, name), 'utf8')) as unknown;
    // An editor shows descriptions; a property without one would complete silently.
    const undescribed: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (typeof node !== 'object' || node === null) return;
      const record = node as Record<string, unknown>;
      for (const [key, child] of Object.entries((record.properties as Record<string, unknown> | undefined) ?? {})) {
        const described = typeof (child as Record<string, unknown>).description === 'string';
        if (!described) undescribed.push(`${path}.${key}`);
        walk(child, `${path}.${key}`);
      }
      for (const [key, child] of Object.entries((record.$defs as Record<string, unknown> | undefined) ?? {})) walk(child, `$defs.${key}`);
    };
    walk(schema, name);
    t.same(undescribed, [], `${name}: every property has a description`);
  }
});
