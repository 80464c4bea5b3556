import { randomBytes } from 'node:crypto';
import { checkHostPattern } from '../allowlist/validate.js';
import { SecretsError } from './error.js';
import { createSurrogate, type RandomBytes } from './surrogate.js';

/** An environment variable and the real value it stands for. */
export interface NamedValue {
  /** Environment variable that carries the surrogate in the container. */
  readonly name: string;
  readonly value: string;
}

/**
 * An AWS key pair (and optional session token) the container holds only as
 * look-alikes. Requests the container signs with the surrogate key towards
 * `scopes` are re-signed by the proxy with the real key (SigV4); the real
 * secret key never enters the container.
 */
export interface SigningCredential {
  /** The credential's name (the key under `signing_credentials`), for messages and logs. */
  readonly name: string;
  readonly accessKeyId: NamedValue;
  readonly secretAccessKey: NamedValue;
  /** Temporary credentials' token; left out (no variable at all) when absent or empty. */
  readonly sessionToken?: NamedValue;
  /** Host patterns (case-insensitive fnmatch) whose requests are re-signed, e.g. `*.amazonaws.com`. At least one. */
  readonly scopes: readonly string[];
}

/**
 * A signing credential with the surrogates the proxy must recognise in this
 * task (the container's surrogate secret key is of no use to the proxy and
 * is not kept).
 */
export interface SigningPair {
  /** The key id the container signs with; the proxy recognises requests by it. */
  readonly surrogateAccessKeyId: string;
  /** Present exactly when the credential has a session token. */
  readonly surrogateSessionToken?: string;
  readonly credential: SigningCredential;
}

/** Length of a surrogate session token (real ones vary; tools only check that one is set). */
export const SESSION_TOKEN_SURROGATE_LENGTH = 512;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A key id travels in `Credential=KID/...` and in query strings: no separators of either. */
const ACCESS_KEY_ID = /^[A-Za-z0-9]{3,128}$/;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function checkName(named: NamedValue, where: string, problems: string[]): void {
  if (!ENV_NAME.test(named.name)) {
    problems.push(`${where}.name: ${JSON.stringify(named.name)} is not an environment variable name (letters, digits and "_", not starting with a digit)`);
  }
}

/**
 * Every problem with `credential`'s definition, each prefixed with `where`
 * (e.g. `signing_credentials.aws`). Values are never quoted.
 */
export function findSigningCredentialProblems(credential: SigningCredential, where = credential.name): string[] {
  const problems: string[] = [];
  checkName(credential.accessKeyId, `${where}.access_key_id`, problems);
  checkName(credential.secretAccessKey, `${where}.secret_access_key`, problems);
  if (!ACCESS_KEY_ID.test(credential.accessKeyId.value)) {
    problems.push(`${where}.access_key_id.value: must be an access key id (3-128 letters and digits, like AKIA... or ASIA...)`);
  }
  if (credential.secretAccessKey.value === '' || /[\0\r\n]/.test(credential.secretAccessKey.value)) {
    problems.push(`${where}.secret_access_key.value: must be a non-empty key without NUL or line breaks`);
  }
  if (credential.sessionToken !== undefined) {
    checkName(credential.sessionToken, `${where}.session_token`, problems);
    if (/[\0\r\n]/.test(credential.sessionToken.value)) problems.push(`${where}.session_token.value: contains a NUL or line break, which cannot be sent in a header`);
  }
  const names = [credential.accessKeyId.name, credential.secretAccessKey.name, credential.sessionToken?.name].filter((n) => n !== undefined);
  if (new Set(names).size !== names.length) problems.push(`${where}: access_key_id, secret_access_key and session_token must use different variable names`);
  if (credential.scopes.length === 0) problems.push(`${where}.scopes: is empty; list the hosts whose requests are re-signed, e.g. ["*.amazonaws.com"]`);
  credential.scopes.forEach((scope, i) => {
    const problem = checkHostPattern(scope);
    if (problem !== undefined) problems.push(`${where}.scopes[${i}]: ${problem}`);
  });
  return problems;
}

/** A session-token surrogate: {@link SESSION_TOKEN_SURROGATE_LENGTH} letters and digits. */
export function createSessionTokenSurrogate(random: RandomBytes = randomBytes): string {
  const limit = 256 - (256 % ALNUM.length);
  let out = '';
  while (out.length < SESSION_TOKEN_SURROGATE_LENGTH) {
    for (const byte of random(SESSION_TOKEN_SURROGATE_LENGTH)) {
      if (byte < limit && out.length < SESSION_TOKEN_SURROGATE_LENGTH) out += ALNUM[byte % ALNUM.length];
    }
  }
  return out;
}

/** What a task needs for its signing credentials: container env and the proxy's pairs. */
export interface PreparedSigningCredentials {
  readonly env: Record<string, string>;
  readonly pairs: readonly SigningPair[];
}

/**
 * Validate `credentials` and mint surrogates for each (call once per task):
 * the key id keeps its `AKIA`/`ASIA` prefix and length, the secret key its
 * shape, and a session token becomes 512 letters and digits. An empty
 * session token counts as none.
 *
 * @throws SecretsError `SECRETS_INVALID` listing every problem.
 */
export function prepareSigningCredentials(credentials: readonly SigningCredential[], random?: RandomBytes): PreparedSigningCredentials {
  const usable = credentials.map((c) => (c.sessionToken?.value === '' ? { ...c, sessionToken: undefined } : c));
  const problems = usable.flatMap((c) => findSigningCredentialProblems(c, `signing_credentials.${c.name}`));
  const env: Record<string, string> = {};
  const pairs: SigningPair[] = [];
  const ids = new Set<string>();
  const names = new Set<string>();
  for (const credential of usable) {
    if (ids.has(credential.accessKeyId.value)) problems.push(`signing_credentials.${credential.name}: another signing credential has the same access key id`);
    ids.add(credential.accessKeyId.value);
    for (const named of [credential.accessKeyId, credential.secretAccessKey, credential.sessionToken]) {
      if (named === undefined) continue;
      if (names.has(named.name)) problems.push(`signing_credentials.${credential.name}: ${named.name} is set by another signing credential too`);
      names.add(named.name);
    }
    if (problems.length > 0) continue;
    const pair: SigningPair = {
      surrogateAccessKeyId: createSurrogate(credential.accessKeyId.value, random),
      ...(credential.sessionToken === undefined ? {} : { surrogateSessionToken: createSessionTokenSurrogate(random) }),
      credential,
    };
    env[credential.accessKeyId.name] = pair.surrogateAccessKeyId;
    env[credential.secretAccessKey.name] = createSurrogate(credential.secretAccessKey.value, random);
    if (credential.sessionToken !== undefined) env[credential.sessionToken.name] = pair.surrogateSessionToken as string;
    pairs.push(pair);
  }
  if (problems.length > 0) {
    throw new SecretsError('SECRETS_INVALID', `Signing credentials are invalid:\n  ${problems.join('\n  ')}`, {
      hint: 'Each needs access_key_id and secret_access_key ({name, value}), an optional session_token and non-empty scopes.',
    });
  }
  return { env, pairs };
}
