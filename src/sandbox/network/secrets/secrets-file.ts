import { SecretsError } from './error.js';
import { findGithubAppProblems, type GithubAppPair } from './github-app.js';
import { findMaskedSecretProblems, type MaskedSecret, type SurrogatePair } from './masked-secret.js';
import { checkSigningRecord, signingRecordOf } from './signing-file-record.js';
import type { SigningPair } from './signing-credential.js';

/** Version of the replacement file layout; bump on any incompatible change. */
export const SECRETS_FILE_VERSION = 1;

interface SecretRecord {
  name: string;
  surrogate: string;
  value: string;
  scopes: string[];
  headers: string[];
  allowForeignCredentials: boolean;
}

/**
 * The replacement file for the proxy container, as JSON text:
 * `{"version":1,"secrets":[{name, surrogate, value, scopes, headers, allowForeignCredentials}],
 *  "githubApps":[{name, surrogate, appId, privateKey, installationId, baseUrl, scopes,
 *  allowForeignCredentials, permissions, repositories}],
 *  "signingCredentials":[{name, type:"aws-sigv4", accessKeyId:{name,value}, secretAccessKey:{name,value},
 *  sessionToken:{name,value}|null, surrogateAccessKeyId, surrogateSessionToken|null, scopes}]}` (`githubApps` and
 *  `signingCredentials` only when there are any).
 *
 * It holds real values: the caller writes it with mode 0600, mounts it
 * read-only into the proxy only, and deletes it when the task ends.
 */
export function serializeSecrets(pairs: readonly SurrogatePair[], githubApps: readonly GithubAppPair[] = [], signing: readonly SigningPair[] = []): string {
  const secrets: SecretRecord[] = pairs.map(({ surrogate, secret }) => ({
    name: secret.name,
    surrogate,
    value: secret.value,
    scopes: [...secret.scopes],
    headers: [...secret.headers],
    allowForeignCredentials: secret.allowForeignCredentials === true,
  }));
  const apps = githubApps.map(({ surrogate, app }) => ({
    name: app.name,
    surrogate,
    appId: app.appId,
    privateKey: app.privateKey,
    installationId: app.installationId,
    baseUrl: app.baseUrl ?? null,
    scopes: [...app.scopes],
    allowForeignCredentials: app.allowForeignCredentials === true,
    permissions: app.permissions === undefined ? null : { ...app.permissions },
    repositories: app.repositories === undefined ? null : [...app.repositories],
  }));
  return `${JSON.stringify({
    version: SECRETS_FILE_VERSION,
    secrets,
    ...(apps.length > 0 ? { githubApps: apps } : {}),
    ...(signing.length > 0 ? { signingCredentials: signing.map(signingRecordOf) } : {}),
  })}\n`;
}

const APP_KEYS = ['name', 'surrogate', 'appId', 'privateKey', 'installationId', 'baseUrl', 'scopes', 'allowForeignCredentials', 'permissions', 'repositories'];
const APP_SURROGATE = /^ghs_[A-Za-z0-9]{36}$/;

function checkAppRecord(raw: unknown, at: string, problems: string[]): GithubAppPair | undefined {
  if (!isRecord(raw)) {
    problems.push(`${at}: expected an object`);
    return undefined;
  }
  const before = problems.length;
  for (const key of Object.keys(raw)) {
    if (!APP_KEYS.includes(key)) problems.push(`${at}.${key}: unknown key; valid keys are ${APP_KEYS.join(', ')}`);
  }
  const { name, surrogate, appId, privateKey, installationId, baseUrl, scopes, allowForeignCredentials, permissions, repositories } = raw;
  if (typeof name !== 'string') problems.push(`${at}.name: expected a string`);
  if (typeof surrogate !== 'string' || !APP_SURROGATE.test(surrogate)) problems.push(`${at}.surrogate: expected "ghs_" and 36 letters or digits`);
  if (typeof appId !== 'string') problems.push(`${at}.appId: expected a string`);
  if (typeof privateKey !== 'string') problems.push(`${at}.privateKey: expected a string`);
  if (typeof installationId !== 'number') problems.push(`${at}.installationId: expected a number`);
  if (baseUrl !== null && typeof baseUrl !== 'string') problems.push(`${at}.baseUrl: expected a string or null`);
  if (!isStringList(scopes)) problems.push(`${at}.scopes: expected a list of strings`);
  if (typeof allowForeignCredentials !== 'boolean') problems.push(`${at}.allowForeignCredentials: expected true or false`);
  if (permissions !== null && (!isRecord(permissions) || !Object.values(permissions).every((v) => typeof v === 'string'))) {
    problems.push(`${at}.permissions: expected an object of strings or null`);
  }
  if (repositories !== null && !isStringList(repositories)) problems.push(`${at}.repositories: expected a list of strings or null`);
  if (problems.length > before) return undefined;
  const app = {
    name: name as string,
    appId: appId as string,
    privateKey: privateKey as string,
    installationId: installationId as number,
    ...(baseUrl === null ? {} : { baseUrl: baseUrl as string }),
    scopes: scopes as string[],
    allowForeignCredentials: allowForeignCredentials as boolean,
    ...(permissions === null ? {} : { permissions: permissions as Record<string, string> }),
    ...(repositories === null ? {} : { repositories: repositories as string[] }),
  };
  problems.push(...findGithubAppProblems(app, at));
  return problems.length > before ? undefined : { surrogate: surrogate as string, app };
}

const FILE_KEYS = ['version', 'secrets', 'githubApps', 'signingCredentials'];
const RECORD_KEYS = ['name', 'surrogate', 'value', 'scopes', 'headers', 'allowForeignCredentials'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function checkRecord(raw: unknown, at: string, problems: string[]): SurrogatePair | undefined {
  if (!isRecord(raw)) {
    problems.push(`${at}: expected an object`);
    return undefined;
  }
  const before = problems.length;
  for (const key of Object.keys(raw)) {
    if (!RECORD_KEYS.includes(key)) problems.push(`${at}.${key}: unknown key; valid keys are ${RECORD_KEYS.join(', ')}`);
  }
  const { name, surrogate, value, scopes, headers, allowForeignCredentials } = raw;
  if (typeof name !== 'string') problems.push(`${at}.name: expected a string`);
  if (typeof surrogate !== 'string' || surrogate === '') problems.push(`${at}.surrogate: expected a non-empty string`);
  if (typeof value !== 'string' || value === '') problems.push(`${at}.value: expected a non-empty string`);
  if (!isStringList(scopes)) problems.push(`${at}.scopes: expected a list of strings`);
  if (!isStringList(headers)) problems.push(`${at}.headers: expected a list of strings`);
  if (typeof allowForeignCredentials !== 'boolean') problems.push(`${at}.allowForeignCredentials: expected true or false`);
  if (problems.length > before) return undefined;
  const secret: MaskedSecret = {
    name: name as string,
    value: value as string,
    scopes: scopes as string[],
    headers: headers as string[],
    allowForeignCredentials: allowForeignCredentials as boolean,
  };
  problems.push(...findMaskedSecretProblems(secret, at));
  if (surrogate === value) problems.push(`${at}: the surrogate equals the real value`);
  else if ((surrogate as string).length !== (value as string).length) problems.push(`${at}: the surrogate and the real value differ in length`);
  return problems.length > before ? undefined : { surrogate: surrogate as string, secret };
}

/**
 * Read a replacement file written by {@link serializeSecrets}, strictly: any
 * unexpected shape is refused, since a half-read file would silently leave
 * some credentials unswapped or unscoped. Messages name entries and keys and
 * never quote values or surrogates.
 *
 * @throws SecretsError `SECRETS_FILE_INVALID` listing every problem.
 */
export function parseSecretsFile(text: string, source = 'secrets file'): SurrogatePair[] {
  return parseCredentialsFile(text, source).secrets;
}

/** The records of the optional list `key` of the file, each checked by `check`; problems are added to `problems`. */
function optionalList<T>(document: Record<string, unknown>, key: string, check: (raw: unknown, at: string, problems: string[]) => T | undefined, problems: string[]): T[] {
  const list = document[key];
  if (list === undefined) return [];
  if (!Array.isArray(list)) {
    problems.push(`${key}: expected a list`);
    return [];
  }
  return list.map((raw, i) => check(raw, `${key}[${i}]`, problems)).filter((record): record is T => record !== undefined);
}

/** Everything a replacement file holds: masked secrets, GitHub Apps and signing credentials. */
export interface CredentialsFile {
  readonly secrets: SurrogatePair[];
  readonly githubApps: GithubAppPair[];
  readonly signingCredentials: SigningPair[];
}

/**
 * Read a replacement file written by {@link serializeSecrets}, GitHub Apps
 * included; as strict as {@link parseSecretsFile}.
 *
 * @throws SecretsError `SECRETS_FILE_INVALID` listing every problem.
 */
export function parseCredentialsFile(text: string, source = 'secrets file'): CredentialsFile {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    // The parser's message may quote the text, which holds real values: do not pass it on.
    throw new SecretsError('SECRETS_FILE_INVALID', `The masked-secrets file ${source} is not valid JSON.`, {
      hint: 'It is written by the host for each task with serializeSecrets(); do not edit it.',
      cause: error instanceof Error ? new Error(error.name) : undefined,
    });
  }
  const problems: string[] = [];
  const pairs: SurrogatePair[] = [];
  const githubApps: GithubAppPair[] = [];
  const signingCredentials: SigningPair[] = [];
  if (!isRecord(document)) {
    problems.push('expected an object with version and secrets');
  } else {
    for (const key of Object.keys(document)) {
      if (!FILE_KEYS.includes(key)) problems.push(`${key}: unknown key; valid keys are ${FILE_KEYS.join(', ')}`);
    }
    if (document.version !== SECRETS_FILE_VERSION) {
      problems.push(`version: expected ${SECRETS_FILE_VERSION}, got ${JSON.stringify(document.version) ?? 'nothing'}`);
    }
    if (!Array.isArray(document.secrets)) {
      problems.push('secrets: expected a list');
    } else {
      document.secrets.forEach((raw, i) => {
        const pair = checkRecord(raw, `secrets[${i}]`, problems);
        if (pair !== undefined) pairs.push(pair);
      });
      const surrogates = pairs.map((p) => p.surrogate);
      surrogates.forEach((s, i) => {
        if (surrogates.indexOf(s) !== i) problems.push(`secrets[${i}] (${pairs[i]?.secret.name}): the surrogate is used by an earlier entry too`);
      });
    }
    githubApps.push(...optionalList(document, 'githubApps', checkAppRecord, problems));
    signingCredentials.push(...optionalList(document, 'signingCredentials', checkSigningRecord, problems));
    const all = [
      ...pairs.map((p) => p.surrogate),
      ...githubApps.map((a) => a.surrogate),
      ...signingCredentials.flatMap((c) => [c.surrogateAccessKeyId, ...(c.surrogateSessionToken === undefined ? [] : [c.surrogateSessionToken])]),
    ];
    if (new Set(all).size !== all.length) problems.push('a surrogate is used by more than one entry');
  }
  if (problems.length > 0) {
    throw new SecretsError('SECRETS_FILE_INVALID', `The masked-secrets file ${source} is invalid:\n  ${problems.join('\n  ')}`, {
      hint: 'It is written by the host for each task with serializeSecrets(); do not edit it.',
    });
  }
  return { secrets: pairs, githubApps, signingCredentials };
}
