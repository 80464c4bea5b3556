import { createPrivateKey, randomBytes } from 'node:crypto';
import { checkHostPattern } from '../allowlist/validate.js';
import { SecretsError } from './error.js';
import type { RandomBytes } from './surrogate.js';

/**
 * A GitHub App installation whose short-lived installation tokens the proxy
 * mints and puts into `Authorization` towards `scopes`. The container only
 * ever holds a `ghs_` surrogate; the private key and the tokens stay in the proxy.
 */
export interface GithubAppCredential {
  /** Environment variable that carries the surrogate in the container. */
  readonly name: string;
  /** The App's id (or client id): the JWT's `iss`. */
  readonly appId: string;
  /** The App's RSA private key, PEM (PKCS#1 or PKCS#8). */
  readonly privateKey: string;
  /** The installation tokens are minted for. */
  readonly installationId: number;
  /** GitHub API base URL; default `https://api.github.com` (GHES: `https://HOST/api/v3`). */
  readonly baseUrl?: string;
  /** Host patterns (case-insensitive fnmatch) the token is sent to. At least one. */
  readonly scopes: readonly string[];
  /** Let other `Authorization` values reach the scoped hosts (off: they are removed). */
  readonly allowForeignCredentials?: boolean;
  /** Narrow each token to these permissions (`contents: write`, ...). */
  readonly permissions?: Readonly<Record<string, string>>;
  /** Narrow each token to these repositories (bare names, as GitHub's API takes them). */
  readonly repositories?: readonly string[];
}

/** A GitHub App credential with the surrogate the container got for it in this task. */
export interface GithubAppPair {
  readonly surrogate: string;
  readonly app: GithubAppCredential;
}

/** The API base used when none is configured. */
export const DEFAULT_GITHUB_API = 'https://api.github.com';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PERMISSION_NAME = /^[a-z_]+$/;
const ACCESS_LEVELS = ['read', 'write', 'admin'];
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Why `key` is not an RSA private key in PEM, or undefined when it is. Never quotes the key. */
function privateKeyProblem(key: string): string | undefined {
  try {
    const parsed = createPrivateKey({ key, format: 'pem' });
    return parsed.asymmetricKeyType === 'rsa' ? undefined : `is a ${parsed.asymmetricKeyType ?? 'non-RSA'} key; GitHub Apps sign with RSA keys`;
  } catch {
    // The parser's message could quote key material: say only what was expected.
    return 'is not a readable PEM private key (PKCS#1 "BEGIN RSA PRIVATE KEY" or PKCS#8 "BEGIN PRIVATE KEY")';
  }
}

/**
 * Every problem with `app`'s definition, each prefixed with `where` (e.g.
 * `github_app_credentials.GH_TOKEN`). The private key is never quoted.
 */
export function findGithubAppProblems(app: GithubAppCredential, where = app.name): string[] {
  const problems: string[] = [];
  if (!ENV_NAME.test(app.name)) {
    problems.push(`${where}: ${JSON.stringify(app.name)} is not an environment variable name (letters, digits and "_", not starting with a digit)`);
  }
  if (app.appId === '' || /[\s]/.test(app.appId)) problems.push(`${where}.app_id: must be the App's id or client id, got ${JSON.stringify(app.appId)}`);
  const keyProblem = privateKeyProblem(app.privateKey);
  if (keyProblem !== undefined) problems.push(`${where}.private_key: ${keyProblem}`);
  if (!Number.isSafeInteger(app.installationId) || app.installationId < 1) {
    problems.push(`${where}.installation_id: must be a positive whole number, got ${JSON.stringify(app.installationId)}`);
  }
  const baseUrl = app.baseUrl ?? DEFAULT_GITHUB_API;
  let url: URL | undefined;
  try {
    url = new URL(baseUrl);
  } catch {
    url = undefined;
  }
  if (url === undefined || url.protocol !== 'https:' || url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    problems.push(`${where}.base_url: must be an https:// URL without user info, query or fragment, got ${JSON.stringify(baseUrl)}`);
  }
  if (app.scopes.length === 0) problems.push(`${where}.scopes: is empty; list the hosts the token may be sent to, e.g. ["api.github.com", "github.com"]`);
  app.scopes.forEach((scope, i) => {
    const problem = checkHostPattern(scope);
    if (problem !== undefined) problems.push(`${where}.scopes[${i}]: ${problem}`);
  });
  for (const [permission, level] of Object.entries(app.permissions ?? {})) {
    if (!PERMISSION_NAME.test(permission)) problems.push(`${where}.permissions: ${JSON.stringify(permission)} is not a GitHub permission name (like "contents")`);
    if (!ACCESS_LEVELS.includes(level)) problems.push(`${where}.permissions.${permission}: must be one of ${ACCESS_LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
  }
  (app.repositories ?? []).forEach((repo, i) => {
    if (!/^[A-Za-z0-9._-]+$/.test(repo)) problems.push(`${where}.repositories[${i}]: must be a bare repository name (no owner), got ${JSON.stringify(repo)}`);
  });
  return problems;
}

/**
 * The surrogate a task holds for an App's tokens: `ghs_` and 36 letters and
 * digits, the shape of a real installation token. It stays the same for the
 * whole task while the proxy refreshes the real token behind it.
 */
export function createGithubAppSurrogate(random: RandomBytes = randomBytes): string {
  const limit = 256 - (256 % ALNUM.length);
  let out = 'ghs_';
  while (out.length < 40) {
    for (const byte of random(64)) {
      if (byte < limit && out.length < 40) out += ALNUM[byte % ALNUM.length];
    }
  }
  return out;
}

/** What a task needs for its GitHub Apps: container env and the proxy's pairs. */
export interface PreparedGithubApps {
  readonly env: Record<string, string>;
  readonly pairs: readonly GithubAppPair[];
}

/**
 * Validate `apps` and mint a surrogate for each (call once per task).
 *
 * @throws SecretsError `SECRETS_INVALID` listing every problem.
 */
export function prepareGithubApps(apps: readonly GithubAppCredential[], random?: RandomBytes): PreparedGithubApps {
  const problems = apps.flatMap((app) => findGithubAppProblems(app, `github_app_credentials.${app.name}`));
  const names = apps.map((a) => a.name);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined) problems.push(`github_app_credentials.${duplicate}: defined more than once`);
  if (problems.length > 0) {
    throw new SecretsError('SECRETS_INVALID', `GitHub App credentials are invalid:\n  ${problems.join('\n  ')}`, {
      hint: 'Each needs app_id, private_key (PEM), installation_id and scopes; base_url must be https://.',
    });
  }
  const env: Record<string, string> = {};
  const pairs = apps.map((app) => {
    const surrogate = createGithubAppSurrogate(random);
    env[app.name] = surrogate;
    return { surrogate, app };
  });
  return { env, pairs };
}
