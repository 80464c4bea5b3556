import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import { formatProblem, validateConfig } from '../../../src/core/config/index.js';
import { closestMatch, editDistance } from '../../../src/core/config/did-you-mean.js';

const REPO = {
  repo_url: 'https://example.com/x.git',
  slack: { bot_token: 'xoxb-1', app_token: 'xapp-1', authorized: [{ user_id: 'U123' }] },
};

void t.test('valid data comes back with defaults; the input is not modified', (t) => {
  const input = { repos: { x: structuredClone(REPO) } };
  const before = structuredClone(input);
  const result = validateConfig(input);
  t.strictSame(result.problems, []);
  t.equal(result.config?.repos.x?.model, 'opus');
  t.strictSame(result.config?.repos.x?.slack?.allowed_channels, []);
  t.equal(result.config?.dashboard.port, 5200);
  t.strictSame(input, before);
  t.end();
});

void t.test('problems carry key paths; without a file they carry no location', (t) => {
  const result = validateConfig({ repos: { x: { ...REPO, model: 5 } } });
  t.equal(result.config, undefined);
  t.strictSame(result.problems, [{ keyPath: 'repos.x.model', message: 'must be a string, got 5', file: '' }]);
  t.equal(formatProblem(result.problems[0] ?? { keyPath: '', message: '', file: '' }), 'repos.x.model: must be a string, got 5');
  t.end();
});

void t.test('a file and a locator add positions', (t) => {
  const result = validateConfig({ dashboard: { port: 'x' } }, {
    file: '/etc/airut/airut.yaml',
    locate: (segments, part) => (segments.join('.') === 'dashboard.port' && part === 'value' ? { line: 3, column: 9 } : undefined),
  });
  t.equal(formatProblem(result.problems[0] ?? { keyPath: '', message: '', file: '' }), 'dashboard.port: must be an integer, got "x" (airut.yaml line 3, column 9)');
  t.end();
});

void t.test('an undefined or empty value is the defaults', (t) => {
  t.same(validateConfig(undefined).config?.repos, {});
  t.same(validateConfig({}).config?.execution.max_concurrent, 3);
  t.end();
});

void t.test('values of the wrong kind are described', (t) => {
  const { problems } = validateConfig({ execution: [], dashboard: { host: null }, vars: { a: { b: 1 } }, repos: 'none' });
  t.strictSame(problems.map(formatProblem), [
    'execution: must be a mapping, got a list',
    'dashboard.host: must be a string, got an empty value',
    'vars.a: must be a single value (text, number, true/false), got a mapping',
    'repos: must be a mapping, got "none"',
  ]);
  t.end();
});

void t.test('credential pools', (t) => {
  const { problems } = validateConfig({
    repos: {
      x: {
        ...REPO,
        masked_secrets: { 'BAD-NAME': { value: 'v', scopes: ['a'], headers: ['h'] }, TOKEN: { value: 'v', scopes: [], headers: [] } },
        signing_credentials: { aws: { type: 'gcp', access_key_id: { name: 'K' }, secret_access_key: { name: 'S', value: 's' }, scopes: ['*.amazonaws.com'] } },
        github_app_credentials: { GH: { app_id: '1', private_key: 'nope', installation_id: 0, scopes: ['github.com'], base_url: 'http://x', permissions: { contents: 'all' } } },
      },
    },
  });
  t.strictSame(problems.map(formatProblem), [
    'repos.x.masked_secrets.BAD-NAME: invalid key: must be an environment variable name (letters, digits and "_", not starting with a digit), got "BAD-NAME"',
    'repos.x.masked_secrets.TOKEN.scopes: must not be an empty list',
    'repos.x.masked_secrets.TOKEN.headers: must not be an empty list',
    'repos.x.signing_credentials.aws.type: must be one of "aws-sigv4"; got "gcp"',
    'repos.x.signing_credentials.aws.access_key_id.value: is required but missing',
    'repos.x.github_app_credentials.GH.private_key: must be a PEM private key ("-----BEGIN ... PRIVATE KEY-----"), got "nope"',
    'repos.x.github_app_credentials.GH.installation_id: must be at least 1, got 0',
    'repos.x.github_app_credentials.GH.base_url: must be an https:// URL, got "http://x"',
    'repos.x.github_app_credentials.GH.permissions.contents: must be one of "read", "write", "admin"; got "all"',
  ]);
  t.end();
});

void t.test('a signing credential needs an access key id and three different variables', (t) => {
  const { problems } = validateConfig({
    repos: {
      x: {
        ...REPO,
        signing_credentials: {
          aws: { type: 'aws-sigv4', access_key_id: { name: 'K', value: 'AKIA/bad,id' }, secret_access_key: { name: 'K', value: 's' }, scopes: ['*.amazonaws.com'] },
          ok: { type: 'aws-sigv4', access_key_id: { name: 'A', value: 'AKIAIOSFODNN7EXAMPLE' }, secret_access_key: { name: 'B', value: 's' }, session_token: { name: 'C', value: 't' }, scopes: ['s3.test'] },
        },
      },
    },
  });
  t.strictSame(problems.map(formatProblem), [
    'repos.x.signing_credentials.aws.access_key_id.value: must be an access key id (3-128 letters and digits, like AKIA... or ASIA...)',
    'repos.x.signing_credentials.aws: access_key_id, secret_access_key and session_token must name different environment variables',
  ]);
  t.notMatch(JSON.stringify(problems), 'AKIA/bad', 'the value is not quoted');
  t.end();
});

void t.test('a GitHub App key must be an RSA private key', (t) => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const broken = '-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n';
  const { problems } = validateConfig({
    repos: { x: { ...REPO, github_app_credentials: { EC: { app_id: '1', private_key: ec, installation_id: 3, scopes: ['github.com'] }, BROKEN: { app_id: '1', private_key: broken, installation_id: 3, scopes: ['github.com'] } } } },
  });
  t.strictSame(problems.map(formatProblem), [
    'repos.x.github_app_credentials.EC.private_key: is a ec key; GitHub Apps sign with RSA keys (PKCS#1 or PKCS#8 PEM)',
    'repos.x.github_app_credentials.BROKEN.private_key: is not a readable PEM private key; paste the .pem file GitHub generated for the App (PKCS#1 "BEGIN RSA PRIVATE KEY" or PKCS#8 "BEGIN PRIVATE KEY")',
  ]);
  t.notMatch(JSON.stringify(problems), /AAAA|MIG/, 'no key material is quoted');
  t.end();
});

void t.test('suggestions: transpositions, case, and nothing when far off', (t) => {
  t.equal(editDistance('modle', 'model'), 1);
  t.equal(editDistance('kitten', 'sitting'), 3);
  t.equal(editDistance('', 'abc'), 3);
  t.equal(closestMatch('modle', ['model', 'effort']), 'model');
  t.equal(closestMatch('PORT', ['port', 'host']), 'port');
  t.equal(closestMatch('imap_prot', ['imap_port', 'smtp_port']), 'imap_port');
  t.equal(closestMatch('colour', ['port', 'host']), undefined);
  t.equal(closestMatch('x', []), undefined);
  t.end();
});
