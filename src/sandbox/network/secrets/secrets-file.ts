import { SecretsError } from './error.js';
import { findMaskedSecretProblems, type MaskedSecret, type SurrogatePair } from './masked-secret.js';

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
 * `{"version":1,"secrets":[{name, surrogate, value, scopes, headers, allowForeignCredentials}]}`.
 *
 * It holds real values: the caller writes it with mode 0600, mounts it
 * read-only into the proxy only, and deletes it when the task ends.
 */
export function serializeSecrets(pairs: readonly SurrogatePair[]): string {
  const secrets: SecretRecord[] = pairs.map(({ surrogate, secret }) => ({
    name: secret.name,
    surrogate,
    value: secret.value,
    scopes: [...secret.scopes],
    headers: [...secret.headers],
    allowForeignCredentials: secret.allowForeignCredentials === true,
  }));
  return `${JSON.stringify({ version: SECRETS_FILE_VERSION, secrets })}\n`;
}

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
  if (!isRecord(document)) {
    problems.push('expected an object with version and secrets');
  } else {
    for (const key of Object.keys(document)) {
      if (key !== 'version' && key !== 'secrets') problems.push(`${key}: unknown key; valid keys are version, secrets`);
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
  }
  if (problems.length > 0) {
    throw new SecretsError('SECRETS_FILE_INVALID', `The masked-secrets file ${source} is invalid:\n  ${problems.join('\n  ')}`, {
      hint: 'It is written by the host for each task with serializeSecrets(); do not edit it.',
    });
  }
  return pairs;
}
