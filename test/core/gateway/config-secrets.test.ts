import t from 'tap';
import { validateConfig } from '../../../src/core/config/index.js';
import { configSecrets, Redactor, REDACTED } from '../../../src/core/gateway/redactor.js';

// Every real value of a signing credential is a secret of the service's logs.

void t.test('signing credentials\' key id, secret key and session token are redacted from log text', (t) => {
  const real = { id: 'AKIAIOSFODNN7EXAMPLE', secret: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', token: 'IQoJb3JpZ2luX2VjEHYaCXVzLWVhc3QtMSJHMEUCIQ' };
  const { config, problems } = validateConfig({
    repos: {
      x: {
        repo_url: 'https://example.com/x.git',
        slack: { bot_token: 'xoxb-1', app_token: 'xapp-1', authorized: [{ user_id: 'U123' }] },
        signing_credentials: {
          aws: {
            type: 'aws-sigv4', scopes: ['*.amazonaws.com'],
            access_key_id: { name: 'AWS_ACCESS_KEY_ID', value: real.id },
            secret_access_key: { name: 'AWS_SECRET_ACCESS_KEY', value: real.secret },
            session_token: { name: 'AWS_SESSION_TOKEN', value: real.token },
          },
        },
      },
    },
  });
  t.strictSame(problems, []);
  if (config === undefined) throw new Error('no config');
  t.ok([real.id, real.secret, real.token].every((v) => configSecrets(config).includes(v)), 'all three values are config secrets');
  const redactor = new Redactor();
  redactor.add(...configSecrets(config));
  const line = redactor.redact(`upstream said: key ${real.id} with token ${real.token} and ${real.secret}`);
  t.equal(line, `upstream said: key ${REDACTED} with token ${REDACTED} and ${REDACTED}`);
  t.end();
});
