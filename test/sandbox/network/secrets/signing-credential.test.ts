import t from 'tap';
import {
  parseCredentialsFile, prepareGithubApps, prepareMaskedSecrets, prepareSigningCredentials, serializeSecrets, type SigningCredential,
} from '../../../../src/sandbox/network/secrets/index.js';

const AWS: SigningCredential = {
  name: 'aws',
  accessKeyId: { name: 'AWS_ACCESS_KEY_ID', value: 'ASIAY34FZKBOKMUTVV7A' },
  secretAccessKey: { name: 'AWS_SECRET_ACCESS_KEY', value: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
  sessionToken: { name: 'AWS_SESSION_TOKEN', value: 'IQoJb3JpZ2luX2VjEHYaCXVzLWVhc3QtMSJHMEUCIQ' },
  scopes: ['*.amazonaws.com'],
};

void t.test('surrogates keep the shape of the real keys; the session token becomes 512 letters and digits', (t) => {
  for (let i = 0; i < 200; i++) {
    const { env, pairs } = prepareSigningCredentials([AWS]);
    const kid = env.AWS_ACCESS_KEY_ID ?? '';
    const secret = env.AWS_SECRET_ACCESS_KEY ?? '';
    if (!/^ASIA[A-Z0-9]{16}$/.test(kid) || kid === AWS.accessKeyId.value) t.fail(`bad key id surrogate ${kid}`);
    if (secret.length !== 40 || secret[13] !== '/' || secret[21] !== '+' || secret === AWS.secretAccessKey.value) t.fail(`bad secret surrogate ${secret}`);
    if (!/^[A-Za-z0-9]{512}$/.test(env.AWS_SESSION_TOKEN ?? '')) t.fail('bad session token surrogate');
    if (pairs[0]?.surrogateAccessKeyId !== kid || pairs[0].surrogateSessionToken !== env.AWS_SESSION_TOKEN) t.fail('pair and env disagree');
  }
  const akia = prepareSigningCredentials([{ ...AWS, accessKeyId: { ...AWS.accessKeyId, value: 'AKIAIOSFODNN7EXAMPLE' }, sessionToken: { name: 'AWS_SESSION_TOKEN', value: '' } }]);
  t.match(akia.env.AWS_ACCESS_KEY_ID, /^AKIA[A-Z0-9]{16}$/);
  t.notOk('AWS_SESSION_TOKEN' in akia.env, 'an empty session token sets no variable');
  t.equal(akia.pairs[0]?.surrogateSessionToken, undefined);
  t.end();
});

void t.test('signing credentials round-trip through the replacement file next to masked secrets and apps', (t) => {
  const signing = prepareSigningCredentials([AWS]);
  const masked = prepareMaskedSecrets([{ name: 'PAT', value: 'ghp_abcdefghij1234567890', scopes: ['github.com'], headers: ['Authorization'] }]);
  const text = serializeSecrets(masked.pairs, prepareGithubApps([]).pairs, signing.pairs);
  const back = parseCredentialsFile(text, 'test');
  t.same(back.signingCredentials, signing.pairs);
  t.same(back.secrets.map((p) => p.secret.name), ['PAT']);
  t.notOk(text.includes(signing.env.AWS_SECRET_ACCESS_KEY ?? '?'), 'the surrogate secret key is of no use to the proxy and is not written');
  t.notOk(serializeSecrets(masked.pairs).includes('signingCredentials'), 'a file without signing credentials has no such key');

  const tampered = JSON.parse(text) as { signingCredentials: Record<string, unknown>[] };
  const record = tampered.signingCredentials[0] as Record<string, unknown>;
  record.surrogateAccessKeyId = AWS.accessKeyId.value;
  record.extra = 1;
  t.throws(() => parseCredentialsFile(JSON.stringify(tampered), 'test'), {
    code: 'SECRETS_FILE_INVALID',
    message: /signingCredentials\[0\]\.extra: unknown key[\s\S]*/,
  });
  record.extra = undefined;
  delete record.extra;
  t.throws(() => parseCredentialsFile(JSON.stringify(tampered), 'test'), { code: 'SECRETS_FILE_INVALID', message: /surrogate key id equals the real one/ });
  t.end();
});

void t.test('bad definitions are refused, naming keys and never quoting values', (t) => {
  let caught: unknown;
  try {
    prepareSigningCredentials([
      { ...AWS, accessKeyId: { name: '1BAD', value: 'AKIA/with/slash' }, secretAccessKey: { name: 'AWS_SECRET_ACCESS_KEY', value: '' }, scopes: [] },
      { ...AWS, name: 'second' },
    ]);
  } catch (error) {
    caught = error;
  }
  t.match(caught, { code: 'SECRETS_INVALID' });
  const message = (caught as Error).message;
  t.match(message, 'signing_credentials.aws.access_key_id.name: "1BAD" is not an environment variable name');
  t.match(message, 'signing_credentials.aws.access_key_id.value: must be an access key id');
  t.match(message, 'signing_credentials.aws.secret_access_key.value: must be a non-empty key');
  t.match(message, 'signing_credentials.aws.scopes: is empty');
  t.match(message, 'signing_credentials.second: AWS_SECRET_ACCESS_KEY is set by another signing credential too');
  t.notMatch(message, 'AKIA/with/slash');
  t.notMatch(message, AWS.sessionToken?.value ?? '?');
  t.end();
});
