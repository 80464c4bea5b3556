import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadRepoSandboxConfig, parseRepoSandboxConfig, type RepoSandboxError } from '../../../src/core/repo-sandbox/index.js';

const parse = (text: string, env: Record<string, string> = {}) => parseRepoSandboxConfig(text, '/repo/.airut/sandbox.yaml', env);

void t.test('every key of a full file, with !env resolved', (t) => {
  const config = parse(`
env:
  PLAIN: text
  NUMBER: 42
  FROM_HOST: !env HOST_VALUE
  MAYBE: !env NOT_SET?
pass_env: [HOME_DIR, OTHER]
masked_secrets:
  GH_TOKEN:
    value: !env REAL_TOKEN
    scopes: [api.github.com, "*.githubusercontent.com"]
    headers: [Authorization]
    allow_foreign_credentials: yes
network_sandbox: off
resource_limits:
  timeout: 600
  memory: 2g
  cpus: 1.5
  pids_limit: 256
`, { HOST_VALUE: 'from host', REAL_TOKEN: 'ghp_realvalue1234567890' });
  t.same(config.env, { PLAIN: 'text', NUMBER: '42', FROM_HOST: 'from host' }, 'an unset optional !env leaves the key out');
  t.same(config.passEnv, ['HOME_DIR', 'OTHER']);
  t.same(config.maskedSecrets, [{ name: 'GH_TOKEN', value: 'ghp_realvalue1234567890', scopes: ['api.github.com', '*.githubusercontent.com'], headers: ['Authorization'], allowForeignCredentials: true }]);
  t.equal(config.networkSandbox, false);
  t.equal(config.timeoutSeconds, 600);
  t.same(config.resourceLimits, { memory: '2g', cpus: 1.5, pidsLimit: 256 });
  t.same(config.unsupported, []);
  t.end();
});

void t.test('an empty file, a missing file and signing_credentials', async (t) => {
  t.same(parse('').networkSandbox, true);
  t.same(parse('# nothing\n').env, {});
  const dir = await mkdtemp(join(tmpdir(), 'airut-t-sbxcfg-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const missing = await loadRepoSandboxConfig(join(dir, 'sandbox.yaml'), {});
  t.equal(missing.path, undefined, 'a missing file gives the defaults');
  t.equal(missing.networkSandbox, true);
  await writeFile(join(dir, 'sandbox.yaml'), 'network_sandbox: "1"\n');
  t.equal((await loadRepoSandboxConfig(join(dir, 'sandbox.yaml'), {})).networkSandbox, true);
  t.same(parse('').signingCredentials, []);
});

void t.test('signing_credentials: surrogates go into the variables the !env references name, else AWS\'s standard ones', (t) => {
  const env = { PROD_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', PROD_SECRET: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
  const config = parse([
    'signing_credentials:',
    '  prod:',
    '    type: aws-sigv4',
    '    access_key_id: !env PROD_KEY_ID',
    '    secret_access_key: !env PROD_SECRET',
    '    session_token: !env PROD_TOKEN?',
    '    scopes: ["*.amazonaws.com"]',
    '  literal:',
    '    type: aws-sigv4',
    '    access_key_id: ASIAEXAMPLEEXAMPLE01',
    '    secret_access_key: literal-secret',
    '    session_token: literal-token',
    '    scopes: [s3.test]',
    '',
  ].join('\n'), env);
  t.same(config.signingCredentials, [
    { name: 'prod', accessKeyId: { name: 'PROD_KEY_ID', value: env.PROD_KEY_ID }, secretAccessKey: { name: 'PROD_SECRET', value: env.PROD_SECRET }, scopes: ['*.amazonaws.com'] },
    {
      name: 'literal', accessKeyId: { name: 'AWS_ACCESS_KEY_ID', value: 'ASIAEXAMPLEEXAMPLE01' }, secretAccessKey: { name: 'AWS_SECRET_ACCESS_KEY', value: 'literal-secret' },
      sessionToken: { name: 'AWS_SESSION_TOKEN', value: 'literal-token' }, scopes: ['s3.test'],
    },
  ], 'an unset optional session token is left out');
  t.throws(() => parse('signing_credentials:\n  aws:\n    type: aws-sigv4\n    access_key_id: AKIA/not/an/id\n    secret_access_key: s\n    scopes: ["*.amazonaws.com"]\n', {}), {
    code: 'REPO_SANDBOX_CONFIG_INVALID',
    message: /sandbox\.yaml:4:20: signing_credentials\.aws\.access_key_id: must be an access key id/,
  });
  t.end();
});

void t.test('mistakes are errors naming file, line and key (exit 125)', (t) => {
  const cases: [string, string, RegExp, string?][] = [
    ['env:\n  TOKEN: !env UNSET_VAR\n', 'REPO_SANDBOX_ENV_UNSET', /sandbox\.yaml:2:10: env\.TOKEN: environment variable 'UNSET_VAR' is not set/],
    ['masked_secrets:\n  K:\n    value: !env GONE\n    scopes: [a.b]\n    headers: [X-Key]\n', 'REPO_SANDBOX_ENV_UNSET', /:3:12: masked_secrets\.K\.value: environment variable 'GONE' is not set/],
    ['- a\n- b\n', 'REPO_SANDBOX_CONFIG_INVALID', /:1:1: the document must be a mapping with keys among env, pass_env/],
    ['envs:\n  A: b\n', 'REPO_SANDBOX_CONFIG_INVALID', /:1:1: envs: unknown key; did you mean "env"\?/],
    ['resource_limits:\n  memroy: 2g\n', 'REPO_SANDBOX_CONFIG_INVALID', /:2:3: resource_limits\.memroy: unknown key; did you mean "memory"\?/],
    ['resource_limits:\n  timeout: soon\n', 'REPO_SANDBOX_CONFIG_INVALID', /:2:12: resource_limits\.timeout: must be an integer, got "soon"/],
    ['network_sandbox: maybe\n', 'REPO_SANDBOX_CONFIG_INVALID', /:1:18: network_sandbox: must be true or false, got "maybe"/],
    ['pass_env: HOME\n', 'REPO_SANDBOX_CONFIG_INVALID', /:1:11: pass_env: must be a list/],
    ['env:\n  1BAD: x\n', 'REPO_SANDBOX_CONFIG_INVALID', /:2:3: env\.1BAD: invalid key: must be an environment variable name.*got "1BAD"/],
    ['masked_secrets:\n  K:\n    value: v\n    scopes: []\n    headers: [X-Key]\n', 'REPO_SANDBOX_CONFIG_INVALID', /:4:13: masked_secrets\.K\.scopes: must not be an empty list/],
    ['env: [unclosed\n', 'REPO_SANDBOX_CONFIG_INVALID', /is not valid YAML/],
  ];
  for (const [text, code, message] of cases) {
    t.throws(() => parse(text), { code, exitCode: 125, message }, JSON.stringify(text));
  }
  t.end();
});

void t.test('the schema refuses unknown keys at every level, with a suggestion and the valid keys', (t) => {
  const cases: [string, RegExp][] = [
    ['masked_secrets:\n  K:\n    value: v\n    scopes: [a.com]\n    headers: [X]\n    header: [Y]\n', /:6:5: masked_secrets\.K\.header: unknown key; did you mean "headers"\?/],
    ['resource_limits:\n  disk: 10g\n', /:2:3: resource_limits\.disk: unknown key; valid keys here: timeout, memory, cpus, pids_limit/],
    ['signing_credentials:\n  aws:\n    type: aws-sigv4\n    access_key_id: a\n    secret_access_key: b\n    scopes: [x.com]\n    region: eu\n', /:7:5: signing_credentials\.aws\.region: unknown key/],
    ['signing_credentials:\n  aws:\n    type: gcp\n    access_key_id: a\n    secret_access_key: b\n    scopes: [x.com]\n', /:3:11: signing_credentials\.aws\.type: must be "aws-sigv4", got "gcp"/],
    ['env:\n  A: !var x\n', /:2:6: env\.A: !var x cannot be used here/],
    ['env:\n  A:\n', /:2:5: env\.A: must be a single value/],
    ['resource_limits: {memory: 2x, cpus: 0, pids_limit: 1.5, timeout: 5}\n', /resource_limits\.timeout: must be at least 10, got 5/],
    ['masked_secrets:\n  K:\n    value: v\n    scopes: ["https://x.com"]\n    headers: [X-Key]\n', /:4:14: masked_secrets\.K\.scopes\[0\]: "https:\/\/x\.com" includes a URL scheme/],
    ['masked_secrets:\n  K:\n    scopes: [x.com]\n    headers: [X-Key]\n', /:2:3: masked_secrets\.K\.value: is required but missing/],
  ];
  for (const [text, message] of cases) t.throws(() => parse(text), { code: 'REPO_SANDBOX_CONFIG_INVALID', exitCode: 125, message }, JSON.stringify(text));
  t.end();
});

void t.test('every problem is reported at once, in file order, and kept on the error', (t) => {
  const err = t.throws(() => parse('resource_limits:\n  memory: 2x\n  cpus: 0\nnetwork_sandbox: perhaps\nextra: 1\n')) as RepoSandboxError;
  t.same(err.problems.map((p) => [p.keyPath, p.line, p.column]), [
    ['resource_limits.memory', 2, 11],
    ['resource_limits.cpus', 3, 9],
    ['network_sandbox', 4, 18],
    ['extra', 5, 1],
  ]);
  t.match(err.message, /^Configuration error: \/repo\/\.airut\/sandbox\.yaml has 4 problems:\n {2}\/repo\/\.airut\/sandbox\.yaml:2:11: resource_limits\.memory: must be a size like "512m"/);
  t.end();
});

void t.test('true/false keys take yes/no, on/off and 1/0; numbers may be quoted or come from !env', (t) => {
  t.equal(parse('network_sandbox: 0\n').networkSandbox, false);
  t.equal(parse('network_sandbox: ON\n').networkSandbox, true);
  const config = parse('resource_limits:\n  timeout: "900"\n  cpus: !env CPUS\nmasked_secrets:\n  K:\n    value: 1234\n    scopes: [x.com]\n    headers: [X]\n    allow_foreign_credentials: 1\n', { CPUS: '0.5' });
  t.equal(config.timeoutSeconds, 900);
  t.same(config.resourceLimits, { cpus: 0.5 });
  t.same(config.maskedSecrets, [{ name: 'K', value: '1234', scopes: ['x.com'], headers: ['X'], allowForeignCredentials: true }]);
  t.end();
});

void t.test('a masked secret whose value is an unset !env NAME? is left out as a whole', (t) => {
  const config = parse('masked_secrets:\n  GONE:\n    value: !env NOT_SET?\n    scopes: [x.com]\n    headers: [X]\n  KEPT:\n    value: !env SET\n    scopes: [x.com]\n    headers: [X]\n', { SET: 'real' });
  t.same(config.maskedSecrets.map((secret) => secret.name), ['KEPT']);
  t.end();
});
