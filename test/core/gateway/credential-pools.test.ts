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
