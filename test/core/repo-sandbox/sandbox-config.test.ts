import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadRepoSandboxConfig, parseRepoSandboxConfig } from '../../../src/core/repo-sandbox/index.js';

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
  const signing = parse('signing_credentials:\n  aws:\n    type: aws-sigv4\n');
  t.match(signing.unsupported, [/signing_credentials is not supported yet/]);
});

void t.test('mistakes are errors naming file, line and key (exit 125)', (t) => {
  const cases: [string, string, RegExp, string?][] = [
    ['env:\n  TOKEN: !env UNSET_VAR\n', 'REPO_SANDBOX_ENV_UNSET', /sandbox\.yaml:2: env\.TOKEN: environment variable 'UNSET_VAR' is not set/],
    ['masked_secrets:\n  K:\n    value: !env GONE\n    scopes: [a.b]\n    headers: [X-Key]\n', 'REPO_SANDBOX_ENV_UNSET', /:3: masked_secrets\.K\.value: environment variable 'GONE' is not set/],
    ['- a\n- b\n', 'REPO_SANDBOX_CONFIG_INVALID', /:1: the document must be a mapping/],
    ['envs:\n  A: b\n', 'REPO_SANDBOX_CONFIG_INVALID', /:1: unknown key "envs"/],
    ['resource_limits:\n  memroy: 2g\n', 'REPO_SANDBOX_CONFIG_INVALID', /:2: unknown key "resource_limits\.memroy"/],
    ['resource_limits:\n  timeout: soon\n', 'REPO_SANDBOX_CONFIG_INVALID', /resource_limits\.timeout "soon" is not a number/],
    ['network_sandbox: maybe\n', 'REPO_SANDBOX_CONFIG_INVALID', /network_sandbox "maybe" is not a boolean/],
    ['pass_env: HOME\n', 'REPO_SANDBOX_CONFIG_INVALID', /pass_env must be a list/],
    ['env:\n  1BAD: x\n', 'REPO_SANDBOX_CONFIG_INVALID', /"1BAD" is not an environment variable name/],
    ['masked_secrets:\n  K:\n    value: v\n    scopes: []\n    headers: [X-Key]\n', 'REPO_SANDBOX_CONFIG_INVALID', /masked_secrets\.K/],
    ['env: [unclosed\n', 'REPO_SANDBOX_CONFIG_INVALID', /is not valid YAML/],
  ];
  for (const [text, code, message] of cases) {
    t.throws(() => parse(text), { code, exitCode: 125, message }, JSON.stringify(text));
  }
  t.end();
});
