import t from 'tap';
import { SecretSwapper, parseSecretsFile, prepareMaskedSecrets, serializeSecrets, type SecretsError } from '../../../../src/sandbox/network/secrets/index.js';

const REAL = 'ghp_REALREALREALREALREALREALREALREAL1234';

void t.test('the replacement file round-trips into a working swapper', (t) => {
  const { env, pairs } = prepareMaskedSecrets([
    { name: 'GH_TOKEN', value: REAL, scopes: ['github.com'], headers: ['Authorization'] },
    { name: 'KEY', value: 'key-123456', scopes: ['*.example.com'], headers: ['X-*'], allowForeignCredentials: true },
  ]);
  const text = serializeSecrets(pairs);
  const back = parseSecretsFile(text, '/replacements.json');
  t.same(back.map((p) => p.surrogate), pairs.map((p) => p.surrogate));
  t.same(back.map((p) => p.secret), [
    { name: 'GH_TOKEN', value: REAL, scopes: ['github.com'], headers: ['Authorization'], allowForeignCredentials: false },
    { name: 'KEY', value: 'key-123456', scopes: ['*.example.com'], headers: ['X-*'], allowForeignCredentials: true },
  ]);
  const swapped = new SecretSwapper(back).apply('github.com', [['Authorization', `Bearer ${env.GH_TOKEN}`]]);
  t.same(swapped.headers, [['Authorization', `Bearer ${REAL}`]]);
  t.same(parseSecretsFile(serializeSecrets([])), [], 'no secrets is a valid file');
  t.end();
});

function record(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'GH_TOKEN', surrogate: 'ghp_FAKEFAKEFAKE', value: 'ghp_REALREALREAL', scopes: ['github.com'], headers: ['Authorization'], allowForeignCredentials: false, ...overrides };
}

// [file text, expected problem]
const invalid: [string, RegExp][] = [
  ['', /is not valid JSON\.$/],
  ['{"version":1,"secrets":[{"value":"ghp_REALREALREAL"', /is not valid JSON\.$/],
  ['[]', /expected an object with version and secrets/],
  [JSON.stringify({ version: 2, secrets: [] }), /version: expected 1, got 2/],
  [JSON.stringify({ secrets: [] }), /version: expected 1, got nothing/],
  [JSON.stringify({ version: 1 }), /secrets: expected a list/],
  [JSON.stringify({ version: 1, secrets: [], extra: 1 }), /extra: unknown key; valid keys are version, secrets/],
  [JSON.stringify({ version: 1, secrets: ['x'] }), /secrets\[0\]: expected an object/],
  [JSON.stringify({ version: 1, secrets: [record({ extra: true })] }), /secrets\[0\]\.extra: unknown key/],
  [JSON.stringify({ version: 1, secrets: [record({ value: 5 })] }), /secrets\[0\]\.value: expected a non-empty string/],
  [JSON.stringify({ version: 1, secrets: [record({ surrogate: '' })] }), /secrets\[0\]\.surrogate: expected a non-empty string/],
  [JSON.stringify({ version: 1, secrets: [record({ scopes: 'github.com' })] }), /secrets\[0\]\.scopes: expected a list of strings/],
  [JSON.stringify({ version: 1, secrets: [record({ headers: [1] })] }), /secrets\[0\]\.headers: expected a list of strings/],
  [JSON.stringify({ version: 1, secrets: [record({ allowForeignCredentials: 'no' })] }), /secrets\[0\]\.allowForeignCredentials: expected true or false/],
  [JSON.stringify({ version: 1, secrets: [record({ scopes: [] })] }), /secrets\[0\]\.scopes: is empty/],
  [JSON.stringify({ version: 1, secrets: [record({ surrogate: 'ghp_REALREALREAL' })] }), /secrets\[0\]: the surrogate equals the real value/],
  [JSON.stringify({ version: 1, secrets: [record({ surrogate: 'ghp_SHORT' })] }), /secrets\[0\]: the surrogate and the real value differ in length/],
  [JSON.stringify({ version: 1, secrets: [record(), record({ name: 'OTHER', value: 'ghp_REALREALREA2' })] }), /secrets\[1\] \(OTHER\): the surrogate is used by an earlier entry too/],
];

void t.test('anything but what serializeSecrets writes is refused, without echoing values', (t) => {
  for (const [text, expected] of invalid) {
    const err = t.throws(() => parseSecretsFile(text, '/replacements.json'), { code: 'SECRETS_FILE_INVALID' }, text.slice(0, 60)) as SecretsError;
    t.match(err.message, expected, text.slice(0, 60));
    t.match(err.message, /^The masked-secrets file \/replacements\.json is (not valid JSON|invalid)/);
    t.notMatch(err.message, /REAL|FAKE/, 'no value or surrogate in the message');
    t.notMatch(String((err.cause as Error | undefined)?.message ?? ''), /REAL/, 'nor in its cause');
  }
  t.end();
});
