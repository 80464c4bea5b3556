import t from 'tap';
import { randomBytes } from 'node:crypto';
import { KNOWN_TOKEN_PREFIXES, createSurrogate, findTokenPrefix } from '../../../../src/sandbox/network/secrets/index.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomToken(): string {
  const prefix = KNOWN_TOKEN_PREFIXES[randomBytes(1)[0] as number % (KNOWN_TOKEN_PREFIXES.length + 1)] ?? '';
  const alphabet = `${ALNUM}${ALNUM}-_.~+/=:`;
  const length = 1 + (randomBytes(1)[0] as number % 90);
  let body = '';
  for (const byte of randomBytes(length)) body += alphabet[byte % alphabet.length];
  return prefix + (/[A-Za-z0-9]/.test(body) ? body : `${body}x`);
}

function classOf(ch: string): string {
  if (/[A-Z]/.test(ch)) return 'U';
  if (/[a-z]/.test(ch)) return 'l';
  if (/[0-9]/.test(ch)) return 'd';
  return ch;
}

/** For each run of letters and digits: which classes may appear in it. */
function runClasses(text: string): string[] {
  return (text.match(/[A-Za-z0-9]+/g) ?? []).map((run) => [...new Set(Array.from(run, classOf))].sort().join(''));
}

void t.test('surrogates keep length, prefix, separators and run classes, and never equal the real value', (t) => {
  const samples = 500;
  let sameSurrogateTwice = 0;
  for (let i = 0; i < samples; i += 1) {
    const real = randomToken();
    const surrogate = createSurrogate(real);
    const again = createSurrogate(real);
    const prefix = findTokenPrefix(real);
    const ok = surrogate.length === real.length
      && surrogate.startsWith(prefix)
      && surrogate !== real
      && surrogate.replace(/[A-Za-z0-9]/g, '') === real.replace(/[A-Za-z0-9]/g, '')
      && runClasses(surrogate.slice(prefix.length)).every((cls, j) => [...cls].every((c) => (runClasses(real.slice(prefix.length))[j] ?? '').includes(c)));
    if (!ok) t.fail(`surrogate for ${JSON.stringify(real)} breaks the format: ${JSON.stringify(surrogate)}`);
    // Short values can repeat by chance; 16+ random characters cannot, in practice.
    if ((real.slice(prefix.length).match(/[A-Za-z0-9]/g) ?? []).length >= 16 && again === surrogate) sameSurrogateTwice += 1;
  }
  t.pass(`${samples} random tokens checked`);
  t.equal(sameSurrogateTwice, 0, 'every call gives a new surrogate for a token-sized value');
  t.end();
});

void t.test('well-known token shapes survive', (t) => {
  const cases: [string, RegExp][] = [
    ['ghp_' + 'aB3'.repeat(12), /^ghp_[A-Za-z0-9]{36}$/],
    ['github_pat_11ABCDEFG0abcdefghij_' + 'x9Y'.repeat(19) + 'zz', /^github_pat_[A-Za-z0-9]{20}_[A-Za-z0-9]{59}$/],
    ['sk-ant-api03-' + 'Ab9'.repeat(31) + '-_x-AA', /^sk-ant-api03-[A-Za-z0-9]{93}-_[A-Za-z0-9]-[A-Z]{2}$/],
    ['sk-ant-oat01-' + 'q'.repeat(40), /^sk-ant-oat01-[a-z]{40}$/],
    ['xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx', /^xoxb-[0-9]{10}-[0-9]{10}-[A-Za-z]{24}$/],
    ['xapp-1-A012BCDEF-1234567890123-abcdef0123', /^xapp-[0-9]-[A-Z0-9]{9}-[0-9]{13}-[a-z0-9]{10}$/],
    ['AKIAIOSFODNN7EXAMPLE', /^AKIA[A-Z0-9]{16}$/],
    ['glpat-abcDEF123456-xyz_789', /^glpat-[A-Za-z0-9]{12}-[a-z]{3}_[0-9]{3}$/],
    ['hunter2', /^[a-z0-9]{7}$/],
    ['pässwörd', /^[a-z]ä[a-z]{3}ö[a-z]{2}$/],
  ];
  for (const [real, shape] of cases) {
    const surrogate = createSurrogate(real);
    t.match(surrogate, shape, `${real.slice(0, 12)}... keeps its shape`);
    t.not(surrogate, real);
    t.equal(surrogate.length, real.length);
  }
  t.equal(findTokenPrefix('sk-ant-api03-xyz'), 'sk-ant-api03-', 'the longest known prefix wins');
  t.equal(findTokenPrefix('sk-other'), 'sk-');
  t.equal(findTokenPrefix('plain'), '');
  t.end();
});

void t.test('short and low-entropy values still differ, using injected randomness', (t) => {
  for (let i = 0; i < 200; i += 1) {
    t.not(createSurrogate('7'), '7');
  }
  // A random source that first returns the real digit, then another: the equal draw is retried.
  let calls = 0;
  const scripted = (size: number): Uint8Array => {
    calls += 1;
    return new Uint8Array(size).fill(calls === 1 ? 7 : 3);
  };
  t.equal(createSurrogate('7', scripted), '3');
  t.equal(calls, 2);
  // Bytes at or above the rejection limit (250 for 10 digits) are skipped, not folded.
  let round = 0;
  const biased = (size: number): Uint8Array => {
    round += 1;
    return new Uint8Array(size).fill(round === 1 ? 255 : 4);
  };
  t.equal(createSurrogate('00', biased), '44');
  t.end();
});

void t.test('values with nothing to vary are refused', (t) => {
  for (const real of ['', 'ghp_', '----', 'sk-ant-api03-', 'éé']) {
    t.throws(() => createSurrogate(real), { code: 'SECRETS_VALUE_UNMASKABLE' }, JSON.stringify(real));
  }
  t.end();
});
