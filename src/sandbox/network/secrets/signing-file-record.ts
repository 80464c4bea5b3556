import { findSigningCredentialProblems, SESSION_TOKEN_SURROGATE_LENGTH, type NamedValue, type SigningPair } from './signing-credential.js';

/** The only signing type there is: AWS SigV4 (the field leaves room for others). */
const SIGNING_TYPE = 'aws-sigv4';
const KEYS = ['name', 'type', 'accessKeyId', 'secretAccessKey', 'sessionToken', 'surrogateAccessKeyId', 'surrogateSessionToken', 'scopes'];

/** The replacement file's record of one signing credential (see `serializeSecrets`). */
export function signingRecordOf(pair: SigningPair): Record<string, unknown> {
  const { credential } = pair;
  return {
    name: credential.name,
    type: SIGNING_TYPE,
    accessKeyId: { ...credential.accessKeyId },
    secretAccessKey: { ...credential.secretAccessKey },
    sessionToken: credential.sessionToken === undefined ? null : { ...credential.sessionToken },
    surrogateAccessKeyId: pair.surrogateAccessKeyId,
    surrogateSessionToken: pair.surrogateSessionToken ?? null,
    scopes: [...credential.scopes],
  };
}

function namedValue(raw: unknown, at: string, problems: string[]): NamedValue | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push(`${at}: expected {name, value}`);
    return undefined;
  }
  const { name, value, ...rest } = raw as Record<string, unknown>;
  if (typeof name !== 'string' || typeof value !== 'string' || Object.keys(rest).length > 0) {
    problems.push(`${at}: expected exactly {name, value}, both strings`);
    return undefined;
  }
  return { name, value };
}

/**
 * One `signingCredentials` record, checked as strictly as the other
 * records: unknown keys, wrong types, a surrogate equal to or shaped
 * unlike the real key id, or a session token without its surrogate.
 * Problems name keys, never values.
 */
export function checkSigningRecord(raw: unknown, at: string, problems: string[]): SigningPair | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push(`${at}: expected an object`);
    return undefined;
  }
  const record = raw as Record<string, unknown>;
  const before = problems.length;
  for (const key of Object.keys(record)) {
    if (!KEYS.includes(key)) problems.push(`${at}.${key}: unknown key; valid keys are ${KEYS.join(', ')}`);
  }
  if (typeof record.name !== 'string') problems.push(`${at}.name: expected a string`);
  if (record.type !== SIGNING_TYPE) problems.push(`${at}.type: expected "${SIGNING_TYPE}"`);
  const accessKeyId = namedValue(record.accessKeyId, `${at}.accessKeyId`, problems);
  const secretAccessKey = namedValue(record.secretAccessKey, `${at}.secretAccessKey`, problems);
  const sessionToken = record.sessionToken === null ? undefined : namedValue(record.sessionToken, `${at}.sessionToken`, problems);
  const { surrogateAccessKeyId, surrogateSessionToken, scopes } = record;
  if (typeof surrogateAccessKeyId !== 'string') problems.push(`${at}.surrogateAccessKeyId: expected a string`);
  if (surrogateSessionToken !== null && (typeof surrogateSessionToken !== 'string' || surrogateSessionToken.length !== SESSION_TOKEN_SURROGATE_LENGTH)) {
    problems.push(`${at}.surrogateSessionToken: expected ${SESSION_TOKEN_SURROGATE_LENGTH} characters or null`);
  }
  if ((record.sessionToken === null) !== (surrogateSessionToken === null)) problems.push(`${at}: sessionToken and surrogateSessionToken must be both set or both null`);
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string')) problems.push(`${at}.scopes: expected a list of strings`);
  if (problems.length > before) return undefined;
  const credential = {
    name: record.name as string,
    accessKeyId: accessKeyId as NamedValue,
    secretAccessKey: secretAccessKey as NamedValue,
    ...(sessionToken === undefined ? {} : { sessionToken }),
    scopes: scopes as string[],
  };
  problems.push(...findSigningCredentialProblems(credential, at));
  const surrogate = surrogateAccessKeyId as string;
  if (surrogate === credential.accessKeyId.value) problems.push(`${at}: the surrogate key id equals the real one`);
  else if (surrogate.length !== credential.accessKeyId.value.length) problems.push(`${at}: the surrogate and the real key id differ in length`);
  if (problems.length > before) return undefined;
  return { surrogateAccessKeyId: surrogate, ...(surrogateSessionToken === null ? {} : { surrogateSessionToken: surrogateSessionToken as string }), credential };
}
