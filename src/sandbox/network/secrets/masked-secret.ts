import { findPatternProblem } from '../allowlist/pattern.js';
import { checkHostPattern } from '../allowlist/validate.js';
import { SecretsError } from './error.js';
import { createSurrogate, type RandomBytes } from './surrogate.js';

/**
 * A credential the container only ever sees as a surrogate. The proxy puts
 * the real value back in request headers, and only towards `scopes`.
 */
export interface MaskedSecret {
  /** Environment variable that carries the surrogate in the container. */
  readonly name: string;
  /** The real value. Lives in host memory and in the proxy's 0600 replacement file only. */
  readonly value: string;
  /** Host patterns (case-insensitive fnmatch, as in the allowlist) the real value may be sent to. At least one. */
  readonly scopes: readonly string[];
  /**
   * Header-name patterns (case-insensitive fnmatch) scanned for the surrogate,
   * e.g. `Authorization`, `X-Api-Key`, `X-*`, `*`. At least one; there is no
   * default, because which headers are credentials decides what gets stripped.
   */
  readonly headers: readonly string[];
  /**
   * Let other credentials through in the `headers` named exactly. Off by
   * default: such a header reaching a scoped host without the surrogate is
   * removed, so a key the agent brought along cannot be used there.
   */
  readonly allowForeignCredentials?: boolean;
}

/** A masked secret with the surrogate the container got for it in this task. */
export interface SurrogatePair {
  readonly surrogate: string;
  readonly secret: MaskedSecret;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HEADER_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z?[\]-]+$/;

/** Why `pattern` cannot name headers, or undefined when it can. */
function checkHeaderPattern(pattern: string): string | undefined {
  if (!HEADER_PATTERN.test(pattern)) {
    return `${JSON.stringify(pattern)} is not a header name or pattern (letters, digits, "-" and the wildcards *, ? and [...])`;
  }
  const problem = findPatternProblem(pattern);
  return problem === undefined ? undefined : `${JSON.stringify(pattern)}: ${problem}`;
}

/**
 * Every problem with `secret`'s definition, each prefixed with `where` (e.g.
 * `masked_secrets.GH_TOKEN`). Values are never quoted.
 */
export function findMaskedSecretProblems(secret: MaskedSecret, where = secret.name): string[] {
  const problems: string[] = [];
  if (!ENV_NAME.test(secret.name)) {
    problems.push(`${where}: ${JSON.stringify(secret.name)} is not an environment variable name (letters, digits and "_", not starting with a digit)`);
  }
  if (/[\0\r\n]/.test(secret.value)) {
    problems.push(`${where}: the value contains a NUL or line break, which cannot be sent in a header`);
  }
  if (secret.scopes.length === 0) {
    problems.push(`${where}.scopes: is empty; list the hosts the real value may be sent to, e.g. ["api.github.com"]`);
  }
  secret.scopes.forEach((scope, i) => {
    const problem = checkHostPattern(scope);
    if (problem !== undefined) problems.push(`${where}.scopes[${i}]: ${problem}`);
  });
  if (secret.headers.length === 0) {
    problems.push(`${where}.headers: is empty; list the headers that carry it, e.g. ["Authorization"] (or ["*"] to scan all)`);
  }
  secret.headers.forEach((header, i) => {
    const problem = checkHeaderPattern(header);
    if (problem !== undefined) problems.push(`${where}.headers[${i}]: ${problem}`);
  });
  return problems;
}

/** What a task needs for its masked secrets: container env and the proxy's pairs. */
export interface PreparedSecrets {
  /** Environment for the container: name -> surrogate. */
  readonly env: Record<string, string>;
  /** For the proxy (see `serializeSecrets`) and `SecretSwapper`. */
  readonly pairs: readonly SurrogatePair[];
}

/**
 * Validate `secrets` and mint a fresh surrogate for each (call once per task).
 * A secret whose value is empty gets neither an env var nor a pair: there is
 * nothing to protect, and an empty variable would tell tools a credential is set.
 *
 * @throws SecretsError `SECRETS_INVALID` (listing every problem) or `SECRETS_VALUE_UNMASKABLE`.
 */
export function prepareMaskedSecrets(secrets: readonly MaskedSecret[], random?: RandomBytes): PreparedSecrets {
  const problems = secrets.flatMap((secret) => findMaskedSecretProblems(secret));
  const names = secrets.map((s) => s.name);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined) problems.push(`${duplicate}: defined more than once`);
  if (problems.length > 0) {
    throw new SecretsError('SECRETS_INVALID', `Masked secrets are invalid:\n  ${problems.join('\n  ')}`, {
      hint: 'Each masked secret needs an environment variable name, a value, scopes (host patterns) and headers (header-name patterns).',
    });
  }
  const env: Record<string, string> = {};
  const pairs: SurrogatePair[] = [];
  for (const secret of secrets) {
    if (secret.value === '') continue;
    let surrogate: string;
    try {
      surrogate = createSurrogate(secret.value, random);
    } catch (error) {
      if (error instanceof SecretsError) {
        throw new SecretsError(error.code, `Masked secret ${secret.name}: ${error.message}`, { hint: error.hint, cause: error });
      }
      throw error;
    }
    env[secret.name] = surrogate;
    pairs.push({ surrogate, secret });
  }
  return { env, pairs };
}
