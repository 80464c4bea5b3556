import { randomBytes } from 'node:crypto';
import { SecretsError } from './error.js';

/** Source of cryptographically strong random bytes (`crypto.randomBytes` in production). */
export type RandomBytes = (size: number) => Uint8Array;

/**
 * Token prefixes a surrogate keeps, so tools that check a token's shape (and
 * people reading logs) still recognise it. The longest matching prefix wins.
 */
export const KNOWN_TOKEN_PREFIXES: readonly string[] = [
  'github_pat_', 'ghp_', 'gho_', 'ghs_', 'ghr_', 'ghu_',
  'sk-ant-api03-', 'sk-ant-oat01-', 'sk-ant-admin01-', 'sk-ant-', 'sk-proj-', 'sk-',
  'xoxb-', 'xoxp-', 'xoxa-', 'xoxe-', 'xapp-',
  'glpat-', 'npm_',
  'AKIA', 'ASIA',
];

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';

/** The known prefix `value` starts with ('' when none). */
export function findTokenPrefix(value: string): string {
  let best = '';
  for (const prefix of KNOWN_TOKEN_PREFIXES) {
    if (prefix.length > best.length && value.startsWith(prefix)) best = prefix;
  }
  return best;
}

function charsetOf(run: string): string {
  return (/[A-Z]/.test(run) ? UPPER : '') + (/[a-z]/.test(run) ? LOWER : '') + (/[0-9]/.test(run) ? DIGITS : '');
}

/** Draw `count` characters uniformly from `charset` (rejection sampling: no modulo bias). */
function draw(charset: string, count: number, random: RandomBytes): string {
  const limit = 256 - (256 % charset.length);
  let out = '';
  while (out.length < count) {
    for (const byte of random(Math.max(16, (count - out.length) * 2))) {
      if (byte < limit) out += charset[byte % charset.length];
      if (out.length === count) break;
    }
  }
  return out;
}

/**
 * A look-alike of the secret `real` for the container to hold in place of it.
 *
 * Format-preserving: a known prefix (see {@link KNOWN_TOKEN_PREFIXES}) and
 * every character that is not an ASCII letter or digit (`-`, `_`, `.`, ...)
 * stay where they are; each run of letters and digits between them is
 * replaced by random characters of the same length, drawn from the classes
 * (upper, lower, digit) present in that run. So `xoxb-1234-abcD` keeps its
 * digit groups digits, and the length never changes.
 *
 * Classes are taken per run rather than per character on purpose: copying
 * each character's class would hand the container about 1.6 bits of the real
 * secret per character.
 *
 * Every call gives a new surrogate (make one per task), never equal to `real`.
 *
 * @throws SecretsError `SECRETS_VALUE_UNMASKABLE` when `real` has no letters or digits after its prefix.
 */
export function createSurrogate(real: string, random: RandomBytes = randomBytes): string {
  const prefix = findTokenPrefix(real);
  const rest = real.slice(prefix.length);
  const parts = rest.split(/([A-Za-z0-9]+)/);
  if (!parts.some((part, i) => i % 2 === 1 && part !== '')) {
    throw new SecretsError('SECRETS_VALUE_UNMASKABLE', 'A masked secret value has no letters or digits after its prefix, so no surrogate could differ from it.', {
      hint: 'Masked secrets are for tokens and keys; put values like this in plain secrets instead.',
    });
  }
  for (;;) {
    const surrogate = prefix + parts.map((part, i) => (i % 2 === 1 ? draw(charsetOf(part), part.length, random) : part)).join('');
    // A single digit has a 1 in 10 chance of coming out unchanged; draw again.
    if (surrogate !== real) return surrogate;
  }
}
