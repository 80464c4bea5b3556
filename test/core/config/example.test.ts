import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { isScalar, parseDocument, visit } from 'yaml';
import { EnvReference, SCHEMA_PATH, configTags, loadConfig } from '../../../src/core/config/index.js';

const EXAMPLE = fileURLToPath(new URL('../../../config/airut.example.yaml', import.meta.url));

/** The variables the example reads with !env, split by whether they may be unset. */
async function exampleVariables(): Promise<{ required: string[]; optional: string[] }> {
  const doc = parseDocument(await readFile(EXAMPLE, 'utf8'), { customTags: configTags });
  const required: string[] = [];
  const optional: string[] = [];
  visit(doc, {
    Scalar(_key, node) {
      if (isScalar(node) && node.value instanceof EnvReference) (node.value.optional ? optional : required).push(node.value.name);
    },
  });
  return { required, optional };
}

void t.test('the example config validates with its variables set', async (t) => {
  const { required } = await exampleVariables();
  t.ok(required.length >= 5, `the example shows !env for secrets (found ${required.join(', ')})`);
  const env = Object.fromEntries(required.map((name) => [name, name.includes('SLACK_BOT') ? 'xoxb-dummy' : name.includes('SLACK_APP') ? 'xapp-dummy' : `dummy-${name}`]));
  const loaded = await loadConfig({ path: EXAMPLE, env });
  const repo = loaded.config.repos['my-project'];
  t.ok(repo, 'the example has one repo');
  t.equal(repo?.email?.password, 'dummy-AIRUT_EMAIL_PASSWORD');
  t.equal(repo?.email?.imap_server, 'imap.example.com', '!var resolves');
  t.equal(repo?.resource_limits.memory, '4g');
  t.notOk(repo && 'SENTRY_DSN' in repo.secrets, 'an unset optional !env leaves the secret out');
  t.same(repo?.slack?.authorized, [{ workspace_members: true }, { user_group: 'engineering' }, { user_id: 'U0123456789' }]);
});

void t.test('the example shows an optional !env', async (t) => {
  const { optional } = await exampleVariables();
  t.ok(optional.length > 0);
});

void t.test('the example fails without its secrets, naming each', async (t) => {
  const { required } = await exampleVariables();
  const error = await loadConfig({ path: EXAMPLE, env: {} }).then(() => undefined, (e: unknown) => e);
  t.match(error, { code: 'CONFIG_INVALID' });
  const message = (error as Error).message;
  for (const name of required) t.match(message, `environment variable ${name} is not set`);
});

void t.test('the example mentions every key of the schema (set or commented out)', async (t) => {
  const schema = JSON.parse(await readFile(SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
  const names = new Set<string>();
  const collect = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    const properties = (node as { properties?: Record<string, unknown> }).properties;
    if (properties !== undefined) for (const name of Object.keys(properties)) names.add(name);
    for (const child of Object.values(node)) collect(child);
  };
  collect(schema);
  const example = await readFile(EXAMPLE, 'utf8');
  const missing = [...names].filter((name) => !new RegExp(`(^|[\\s{,#-])${name}:`, 'm').test(example));
  t.strictSame(missing, [], 'keys of airut.schema.json not shown in config/airut.example.yaml');
});
