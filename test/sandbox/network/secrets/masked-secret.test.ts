import t from 'tap';
import { prepareMaskedSecrets, type MaskedSecret, type SecretsError } from '../../../../src/sandbox/network/secrets/index.js';

const GH: MaskedSecret = { name: 'GH_TOKEN', value: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789', scopes: ['github.com', '*.github.com'], headers: ['Authorization'] };

void t.test('prepare gives the container surrogates and the proxy pairs', (t) => {
  const prepared = prepareMaskedSecrets([GH, { name: 'EMPTY', value: '', scopes: ['x.com'], headers: ['*'] }]);
  t.same(Object.keys(prepared.env), ['GH_TOKEN'], 'an empty value gets no env var');
  const surrogate = prepared.env.GH_TOKEN ?? '';
  t.match(surrogate, /^ghp_[a-z0-9]{36}$/);
  t.not(surrogate, GH.value);
  t.same(prepared.pairs, [{ surrogate, secret: GH }]);
  t.not(prepareMaskedSecrets([GH]).env.GH_TOKEN, surrogate, 'a new surrogate per task');
  t.end();
});

void t.test('invalid definitions are refused with every problem and no value', (t) => {
  const err = t.throws(() => prepareMaskedSecrets([
    { name: '1BAD', value: 'secret-value-1', scopes: [], headers: [] },
    { name: 'OK', value: 'secret\nvalue-2', scopes: ['https://api.github.com', 'a.com'], headers: ['Auth orization', 'X-[z-a]*'] },
    { name: 'OK', value: 'secret-value-3', scopes: ['a.com'], headers: ['x'] },
  ]), { code: 'SECRETS_INVALID', name: 'SecretsError' }) as SecretsError;
  t.match(err.message, /1BAD: "1BAD" is not an environment variable name/);
  t.match(err.message, /1BAD\.scopes: is empty; list the hosts/);
  t.match(err.message, /1BAD\.headers: is empty; list the headers/);
  t.match(err.message, /OK: the value contains a NUL or line break/);
  t.match(err.message, /OK\.scopes\[0\]: "https:\/\/api\.github\.com" includes a URL scheme/);
  t.match(err.message, /OK\.headers\[0\]: "Auth orization" is not a header name or pattern/);
  t.match(err.message, /OK\.headers\[1\]: "X-\[z-a\]\*": the class range "z-a" is reversed/);
  t.match(err.message, /OK: defined more than once/);
  t.notMatch(err.message, /secret-value|secret\nvalue/, 'values never appear in messages');
  t.end();
});

void t.test('an unmaskable value names the secret, not the value', (t) => {
  const err = t.throws(() => prepareMaskedSecrets([{ name: 'ONLY_PREFIX', value: 'ghp_', scopes: ['github.com'], headers: ['Authorization'] }]), { code: 'SECRETS_VALUE_UNMASKABLE' }) as SecretsError;
  t.match(err.message, /^Masked secret ONLY_PREFIX: /);
  t.end();
});
