import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import {
  createGithubAppSurrogate, parseCredentialsFile, prepareGithubApps, prepareMaskedSecrets, serializeSecrets, type GithubAppCredential,
} from '../../../../src/sandbox/network/secrets/index.js';

const RSA = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const EC = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

const app: GithubAppCredential = { name: 'GH_TOKEN', appId: '12', privateKey: RSA, installationId: 34, scopes: ['api.github.com'], permissions: { contents: 'read' }, repositories: ['web'] };

void t.test('surrogates look like installation tokens and stay inside the charset', (t) => {
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const s = createGithubAppSurrogate();
    if (!/^ghs_[A-Za-z0-9]{36}$/.test(s)) t.fail(`bad surrogate ${s}`);
    seen.add(s);
  }
  t.equal(seen.size, 1000, 'no repeats');
  t.end();
});

void t.test('prepared apps round-trip through the replacement file next to masked secrets', (t) => {
  const apps = prepareGithubApps([app]);
  const masked = prepareMaskedSecrets([{ name: 'PAT', value: 'ghp_abcdefghij1234567890', scopes: ['github.com'], headers: ['Authorization'] }]);
  t.match(apps.env.GH_TOKEN, /^ghs_[A-Za-z0-9]{36}$/);
  const back = parseCredentialsFile(serializeSecrets(masked.pairs, apps.pairs), 'test');
  t.same(back.githubApps, [{ surrogate: apps.env.GH_TOKEN, app: { ...app, allowForeignCredentials: false } }]);
  t.same(back.secrets.map((p) => p.secret.name), ['PAT']);
  t.notOk(serializeSecrets(masked.pairs).includes('githubApps'), 'a file without apps has no githubApps key');
  t.end();
});

void t.test('bad definitions are refused, naming the key and never quoting the private key', (t) => {
  const error = (() => {
    try {
      prepareGithubApps([
        { ...app, privateKey: EC },
        { ...app, name: '1BAD', privateKey: '-----BEGIN RSA PRIVATE KEY-----\nQUJD\n-----END RSA PRIVATE KEY-----\n', installationId: 0, baseUrl: 'http://github.example', scopes: [], permissions: { Contents: 'all' }, repositories: ['octo/web'] },
      ]);
      return undefined;
    } catch (e) {
      return e as Error & { code: string };
    }
  })();
  t.equal(error?.code, 'SECRETS_INVALID');
  const message = error?.message ?? '';
  for (const part of [
    /github_app_credentials\.GH_TOKEN\.private_key: is a ec key; GitHub Apps sign with RSA keys/,
    /github_app_credentials\.1BAD: "1BAD" is not an environment variable name/,
    /github_app_credentials\.1BAD\.private_key: is not a readable PEM private key/,
    /github_app_credentials\.1BAD\.installation_id: must be a positive whole number, got 0/,
    /github_app_credentials\.1BAD\.base_url: must be an https:\/\/ URL without user info, query or fragment, got "http:\/\/github\.example"/,
    /github_app_credentials\.1BAD\.scopes: is empty/,
    /github_app_credentials\.1BAD\.permissions: "Contents" is not a GitHub permission name/,
    /github_app_credentials\.1BAD\.permissions\.Contents: must be one of read, write, admin, got "all"/,
    /github_app_credentials\.1BAD\.repositories\[0\]: must be a bare repository name \(no owner\), got "octo\/web"/,
  ]) t.match(message, part);
  t.notMatch(message, /QUJD|-----BEGIN/, 'no key material in the message');
  t.end();
});

void t.test('the proxy refuses a file whose app entries were tampered with', (t) => {
  const apps = prepareGithubApps([app]);
  const file = JSON.parse(serializeSecrets([], apps.pairs)) as { githubApps: Record<string, unknown>[] };
  const entry = file.githubApps[0] ?? {};
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ...entry, surrogate: 'ghs_short' }, /githubApps\[0\]\.surrogate: expected "ghs_" and 36 letters or digits/],
    [{ ...entry, extra: 1 }, /githubApps\[0\]\.extra: unknown key/],
    [{ ...entry, scopes: [] }, /githubApps\[0\]\.scopes: is empty/],
    [{ ...entry, baseUrl: 'http://x' }, /githubApps\[0\]\.base_url: must be an https:\/\/ URL/],
  ];
  for (const [bad, problem] of cases) {
    t.throws(() => parseCredentialsFile(JSON.stringify({ ...file, githubApps: [bad] }), 'f'), { code: 'SECRETS_FILE_INVALID', message: problem });
  }
  t.throws(() => parseCredentialsFile(JSON.stringify({ version: 1, secrets: [], githubApps: {} }), 'f'), { message: /githubApps: expected a list/ });
  t.end();
});
