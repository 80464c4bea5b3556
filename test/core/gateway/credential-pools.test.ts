import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import { validateConfig } from '../../../src/core/config/index.js';
import { credentialPoolsOf } from '../../../src/core/gateway/credential-pools.js';

const KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

void t.test('each environment name goes to its strongest pool: GitHub App > masked > plain', (t) => {
  const { config, problems } = validateConfig({
    repos: {
      x: {
        repo_url: 'https://example.com/x.git',
        slack: { bot_token: 'xoxb-1', app_token: 'xapp-1', authorized: [{ user_id: 'U123' }] },
        secrets: { GH_TOKEN: 'plain-gh', PAT: 'plain-pat', PLAIN: 'plain' },
        masked_secrets: {
          GH_TOKEN: { value: 'ghp_masked1234567890', scopes: ['github.com'], headers: ['Authorization'] },
          PAT: { value: 'ghp_pat1234567890', scopes: ['github.com'], headers: ['Authorization'] },
        },
        github_app_credentials: {
          GH_TOKEN: { app_id: '7', private_key: KEY, installation_id: 9, scopes: ['api.github.com'], repositories: ['repo'] },
        },
      },
    },
  });
  t.strictSame(problems, []);
  const repo = config?.repos.x;
  if (repo === undefined) throw new Error('no repo');
  const pools = credentialPoolsOf(repo);
  t.same(pools.githubApps, [{
    name: 'GH_TOKEN', appId: '7', privateKey: KEY, installationId: 9, baseUrl: 'https://api.github.com', scopes: ['api.github.com'],
    allowForeignCredentials: false, repositories: ['repo'],
  }]);
  t.same(pools.maskedSecrets.map((s) => s.name), ['PAT'], 'the masked GH_TOKEN yields to the App');
  t.same(pools.env, { PLAIN: 'plain' }, 'plain copies of protected names are left out');
  t.end();
});

void t.test('signing credentials come first (MSK-08): their variables are theirs, and a second credential reusing one is left out whole', (t) => {
  const aws = (kid: string, names: [string, string, string?]): Record<string, unknown> => ({
    type: 'aws-sigv4',
    access_key_id: { name: names[0], value: kid },
    secret_access_key: { name: names[1], value: 'secret/key+value' },
    ...(names[2] === undefined ? {} : { session_token: { name: names[2], value: 'token' } }),
    scopes: ['*.amazonaws.com'],
  });
  const { config, problems } = validateConfig({
    repos: {
      x: {
        repo_url: 'https://example.com/x.git',
        slack: { bot_token: 'xoxb-1', app_token: 'xapp-1', authorized: [{ user_id: 'U123' }] },
        secrets: { AWS_ACCESS_KEY_ID: 'plain', OTHER: 'o' },
        masked_secrets: { AWS_SECRET_ACCESS_KEY: { value: 'masked-value-1', scopes: ['x.test'], headers: ['X-Key'] } },
        github_app_credentials: { AWS_SESSION_TOKEN: { app_id: '7', private_key: KEY, installation_id: 9, scopes: ['api.github.com'] } },
        signing_credentials: {
          main: aws('AKIAIOSFODNN7EXAMPLE', ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']),
          clash: aws('AKIAOTHEROTHEROTHER1', ['OTHER_KEY', 'AWS_SECRET_ACCESS_KEY']),
          second: aws('AKIASECONDSECOND0001', ['B_KEY', 'B_SECRET']),
        },
      },
    },
  });
  t.strictSame(problems, []);
  const repo = config?.repos.x;
  if (repo === undefined) throw new Error('no repo');
  const pools = credentialPoolsOf(repo);
  t.same(pools.signingCredentials.map((c) => c.name), ['main', 'second'], 'the credential reusing a taken variable is left out');
  t.same(pools.signingCredentials[0], {
    name: 'main',
    accessKeyId: { name: 'AWS_ACCESS_KEY_ID', value: 'AKIAIOSFODNN7EXAMPLE' },
    secretAccessKey: { name: 'AWS_SECRET_ACCESS_KEY', value: 'secret/key+value' },
    sessionToken: { name: 'AWS_SESSION_TOKEN', value: 'token' },
    scopes: ['*.amazonaws.com'],
  });
  t.same(pools.githubApps, [], 'the App on the session token variable yields');
  t.same(pools.maskedSecrets, [], 'so does the masked secret on the secret key variable');
  t.same(pools.env, { OTHER: 'o' }, 'and the plain copy of the key id');
  t.end();
});
