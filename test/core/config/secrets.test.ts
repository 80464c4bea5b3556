import t from 'tap';
import { isSecretPath, secretValues, validateConfig } from '../../../src/core/config/index.js';

void t.test('the schema marks secrets; secretValues collects them', (t) => {
  t.ok(isSecretPath(['repos', 'x', 'email', 'password']));
  t.ok(isSecretPath(['repos', 'x', 'slack', 'bot_token']));
  t.ok(isSecretPath(['repos', 'x', 'masked_secrets', 'GH_TOKEN', 'value']));
  t.ok(isSecretPath(['repos', 'x', 'signing_credentials', 'aws', 'secret_access_key', 'value']));
  t.notOk(isSecretPath(['repos', 'x', 'email', 'username']));
  t.notOk(isSecretPath(['repos', 'x', 'signing_credentials', 'aws', 'secret_access_key', 'name']));
  t.notOk(isSecretPath(['no', 'such', 'key']));

  const { config } = validateConfig({
    repos: {
      x: {
        repo_url: 'u',
        email: { imap_server: 'i', smtp_server: 's', username: 'user', password: 'pw-1', from: 'f', trusted_authserv_id: 'mx', authorized_senders: ['a@b.c'] },
        slack: { bot_token: 'xoxb-2', app_token: 'xapp-3', authorized: [{ user_id: 'U1' }] },
        secrets: { PLAIN: 'plain-4', EMPTY: '' },
        masked_secrets: { GH: { value: 'ghp_5', scopes: ['github.com'], headers: ['Authorization'] } },
      },
    },
  });
  t.ok(config);
  t.strictSame(secretValues(config).sort(), ['ghp_5', 'plain-4', 'pw-1', 'xapp-3', 'xoxb-2']);
  t.end();
});
