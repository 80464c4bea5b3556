import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import t from 'tap';
import { SCHEMA_PATH, validateConfig } from '../../../src/core/config/index.js';
import { ConfigError } from '../../../src/core/config/error.js';

type Node = Record<string, unknown>;

async function schema(): Promise<Node> {
  return JSON.parse(await readFile(SCHEMA_PATH, 'utf8')) as Node;
}

/** Every place in the schema that describes a value an operator writes: [path, node]. */
function describedNodes(node: Node, path: string, out: [string, Node][] = []): [string, Node][] {
  for (const [key, child] of Object.entries((node.properties ?? {}) as Record<string, Node>)) {
    out.push([`${path}.${key}`, child]);
    describedNodes(child, `${path}.${key}`, out);
  }
  if (typeof node.additionalProperties === 'object') describedNodes(node.additionalProperties as Node, `${path}.*`, out);
  if (typeof node.items === 'object') describedNodes(node.items as Node, `${path}[]`, out);
  return out;
}

void t.test('the schema is valid JSON Schema 2020-12', async (t) => {
  const root = await schema();
  t.equal(root.$schema, 'https://json-schema.org/draft/2020-12/schema');
  const ajv = new Ajv2020({ strict: false });
  t.ok(ajv.validateSchema(root), JSON.stringify(ajv.errors));
});

void t.test('every property has a description', async (t) => {
  const root = await schema();
  const nodes = [...describedNodes(root, '(root)'), ...Object.entries(root.$defs as Record<string, Node>).flatMap(([name, def]) => describedNodes(def, `$defs.${name}`))];
  t.ok(nodes.length > 100, `${nodes.length} properties`);
  const missing = nodes.filter(([, node]) => typeof node.description !== 'string' || node.description.length < 8).map(([path]) => path);
  t.strictSame(missing, [], 'properties without a description');
  for (const [name, def] of Object.entries(root.$defs as Record<string, Node>)) t.type(def.description, 'string', `$defs.${name} has a description`);
});

void t.test('every object is closed', async (t) => {
  const root = await schema();
  const open: string[] = [];
  const visit = (node: unknown, path: string): void => {
    if (typeof node !== 'object' || node === null) return;
    const n = node as Node;
    if (n.type === 'object' && n.additionalProperties === undefined) open.push(path);
    for (const [key, child] of Object.entries(n)) visit(child, `${path}/${key}`);
  };
  visit(root, '#');
  t.strictSame(open, []);
});

void t.test('the documented defaults are what a loaded config holds', (t) => {
  const { config } = validateConfig({ repos: { x: { repo_url: 'u', slack: { bot_token: 'xoxb-1', app_token: 'xapp-1', authorized: [{ workspace_members: true }] } } } });
  t.ok(config);
  t.equal(config?.network.subnet_pool, '10.199.0.0/16');
  t.equal(config?.dashboard.host, '127.0.0.1');
  t.equal(config?.repos.x?.claude_version, 'latest');
  t.equal(config?.config_version, 1);
  t.end();
});

void t.test('config error codes are distinct and prefixed', (t) => {
  const codes = (['CONFIG_INVALID', 'CONFIG_UNREADABLE', 'CONFIG_YAML_SYNTAX'] as const).map((code) => new ConfigError(code, '/x', []).code);
  t.equal(new Set(codes).size, codes.length);
  for (const code of codes) t.match(code, /^CONFIG_[A-Z_]+$/);
  t.end();
});
