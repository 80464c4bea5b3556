import { resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { configTags, formatKeyPath, type ConfigProblem, type KeySegment } from '../config/index.js';
import { describeValue } from '../config/describe-value.js';
import { readDocument } from '../config/read-document.js';
import { schemaProblems } from '../config/schema-problems.js';
import { SourceMap } from '../config/source-map.js';
import { locateProblem, sortProblems } from '../config/validate-config.js';
import { findMaskedSecretProblems, findSigningCredentialProblems, type MaskedSecret, type ResourceLimits, type SigningCredential } from '../../sandbox/index.js';
import { RepoSandboxError } from './error.js';
import { coerceScalars } from './coerce-scalars.js';
import { checkoutFiles } from './repo-files.js';
import { envReferenceNames, findTagProblems, unsetOptionalSecrets } from './find-tag-problems.js';
import { sandboxSchema } from './sandbox-schema.js';

/** `.airut/sandbox.yaml` with every `!env` resolved (CLI-03). */
export interface RepoSandboxConfig {
  /** The file read, or undefined when it does not exist (defaults apply). */
  path: string | undefined;
  /** `env:` with references resolved. */
  env: Record<string, string>;
  /** `pass_env:` names, in file order. */
  passEnv: string[];
  /** `masked_secrets:` as the network sandbox takes them. */
  maskedSecrets: MaskedSecret[];
  /** `signing_credentials:` as the network sandbox takes them. */
  signingCredentials: SigningCredential[];
  /** `network_sandbox:`; default true. */
  networkSandbox: boolean;
  /** `resource_limits.timeout` in seconds. */
  timeoutSeconds: number | undefined;
  /** `resource_limits` other than the timeout. */
  resourceLimits: ResourceLimits;
  /** Keys that are accepted but not acted on yet, with why (e.g. `signing_credentials`). */
  unsupported: string[];
}

/** The file's data once it passed sandbox.schema.json. */
interface SandboxFile {
  env?: Record<string, string | number | boolean> | null;
  pass_env?: string[] | null;
  masked_secrets?: Record<string, { value: string | number | boolean; scopes: string[]; headers: string[]; allow_foreign_credentials: boolean }> | null;
  signing_credentials?: Record<string, { type: 'aws-sigv4'; access_key_id: string; secret_access_key: string; session_token?: string; scopes: string[] }> | null;
  network_sandbox: boolean;
  resource_limits?: { timeout?: number; memory?: string; cpus?: number; pids_limit?: number } | null;
}

const HINT = 'sandbox.schema.json in the Airut package describes every key; point your editor at it with a "# yaml-language-server: $schema=..." line for completion.';

/**
 * Reads `.airut/sandbox.yaml`. A missing file gives the defaults. Unknown
 * keys and wrong types are errors naming file, line, column and key; an
 * `!env NAME` whose variable is unset in `env` is an error too (fail closed: a
 * secret silently left empty would make the task run with the wrong
 * credentials). `!env NAME?` leaves the key out instead (a masked secret
 * whose value it is, the whole secret).
 *
 * @throws RepoSandboxError `REPO_SANDBOX_CONFIG_INVALID`, `REPO_SANDBOX_ENV_UNSET`, `REPO_SANDBOX_FILE_UNREADABLE`.
 */
export async function loadRepoSandboxConfig(path: string, env: Readonly<Record<string, string | undefined>>): Promise<RepoSandboxConfig> {
  const file = resolve(path);
  const bytes = await checkoutFiles('/').readFile(file);
  if (bytes === undefined) return defaults(undefined);
  return parseRepoSandboxConfig(bytes.toString('utf8'), file, env);
}

/** Parses the text of `.airut/sandbox.yaml`; `source` names the file in messages. See {@link loadRepoSandboxConfig}. */
export function parseRepoSandboxConfig(text: string, source: string, env: Readonly<Record<string, string | undefined>>): RepoSandboxConfig {
  const counter = new LineCounter();
  const doc = parseDocument(text, { customTags: configTags, uniqueKeys: true, prettyErrors: true, lineCounter: counter });
  if (doc.errors.length > 0) {
    throw invalid('REPO_SANDBOX_CONFIG_INVALID', source, doc.errors.map((error): ConfigProblem => {
      const at = error.linePos?.[0];
      const first = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '');
      return { keyPath: '', message: `is not valid YAML: ${first}`, file: source, ...(at === undefined ? {} : { line: at.line, column: at.col }) };
    }), 'Fix the YAML syntax at the position shown.');
  }
  const sourceMap = new SourceMap(counter);
  const read = readDocument(doc, text, env, sourceMap, 'the environment that runs airut');
  const locate = (segments: KeySegment[], message: string): ConfigProblem => locateProblem({ segments, part: 'value', message }, { file: source, locate: sourceMap.locate });

  const tags = findTagProblems(doc, env);
  if (tags.unsetEnv.length > 0) {
    throw invalid('REPO_SANDBOX_ENV_UNSET', source, tags.unsetEnv.map(({ segments, message }) => locate(segments, message)),
      'Set the variables in the environment that runs airut, or mark a reference optional with "!env NAME?".');
  }
  if (tags.other.length > 0) throw invalid('REPO_SANDBOX_CONFIG_INVALID', source, tags.other.map(({ segments, message }) => locate(segments, message)), HINT);
  if (read.problems.length > 0) {
    throw invalid('REPO_SANDBOX_CONFIG_INVALID', source, read.problems.map((problem) => locateProblem(problem, { file: source, locate: sourceMap.locate })), HINT);
  }

  const { schema, validate } = sandboxSchema();
  const data = read.value ?? {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    const start = doc.contents?.range?.[0] ?? 0;
    const { line, col } = counter.linePos(start);
    const keys = Object.keys((schema.properties as Record<string, unknown> | undefined) ?? {});
    throw invalid('REPO_SANDBOX_CONFIG_INVALID', source, [{
      keyPath: '', file: source, line, column: col,
      message: `the document must be a mapping with keys among ${keys.join(', ')}; got ${describeValue(data)}`,
    }], HINT);
  }
  // A masked secret whose `value: !env NAME?` is unset is left out as a whole: it has nothing to protect.
  const secrets = (data as { masked_secrets?: unknown }).masked_secrets;
  for (const name of unsetOptionalSecrets(doc, env)) {
    if (typeof secrets === 'object' && secrets !== null) delete (secrets as Record<string, unknown>)[name];
  }
  coerceScalars(schema, data);
  const problems = validate(data) ? [] : schemaProblems(validate.errors ?? [], data);
  const located = problems.map((problem) => locateProblem(problem, { file: source, locate: sourceMap.locate }));
  if (located.length > 0) throw invalid('REPO_SANDBOX_CONFIG_INVALID', source, sortProblems(located), HINT);

  const file = data as SandboxFile;
  const config = defaults(source);
  for (const [name, value] of Object.entries(file.env ?? {})) config.env[name] = String(value);
  config.passEnv = [...(file.pass_env ?? [])];
  const secretProblems: ConfigProblem[] = [];
  for (const [name, entry] of Object.entries(file.masked_secrets ?? {})) {
    const secret: MaskedSecret = { name, value: String(entry.value), scopes: entry.scopes, headers: entry.headers, allowForeignCredentials: entry.allow_foreign_credentials };
    const where = formatKeyPath(['masked_secrets', name]);
    for (const problem of findMaskedSecretProblems(secret, where)) secretProblems.push(secretProblem(problem, where, ['masked_secrets', name], locate));
    config.maskedSecrets.push(secret);
  }
  // The surrogates go into the variables the real values came from (`!env NAME`), else AWS's standard ones.
  const envNames = envReferenceNames(doc, 'signing_credentials');
  for (const [name, entry] of Object.entries(file.signing_credentials ?? {})) {
    const variable = (key: string, fallback: string): string => envNames.get(`${name}.${key}`) ?? fallback;
    const credential: SigningCredential = {
      name,
      accessKeyId: { name: variable('access_key_id', 'AWS_ACCESS_KEY_ID'), value: entry.access_key_id },
      secretAccessKey: { name: variable('secret_access_key', 'AWS_SECRET_ACCESS_KEY'), value: entry.secret_access_key },
      ...(entry.session_token === undefined ? {} : { sessionToken: { name: variable('session_token', 'AWS_SESSION_TOKEN'), value: entry.session_token } }),
      scopes: entry.scopes,
    };
    const where = formatKeyPath(['signing_credentials', name]);
    for (const problem of findSigningCredentialProblems(credential, where)) secretProblems.push(secretProblem(problem, where, ['signing_credentials', name], locate));
    config.signingCredentials.push(credential);
  }
  if (secretProblems.length > 0) throw invalid('REPO_SANDBOX_CONFIG_INVALID', source, sortProblems(secretProblems), HINT);
  config.networkSandbox = file.network_sandbox;
  const limits = file.resource_limits ?? {};
  config.timeoutSeconds = limits.timeout;
  if (limits.memory !== undefined) config.resourceLimits.memory = limits.memory;
  if (limits.cpus !== undefined) config.resourceLimits.cpus = limits.cpus;
  if (limits.pids_limit !== undefined) config.resourceLimits.pidsLimit = limits.pids_limit;
  return config;
}

function defaults(path: string | undefined): RepoSandboxConfig {
  return { path, env: {}, passEnv: [], maskedSecrets: [], signingCredentials: [], networkSandbox: true, timeoutSeconds: undefined, resourceLimits: {}, unsupported: [] };
}

/**
 * A masked-secret or signing-credential problem (`masked_secrets.K.scopes[1]: ...`) as a located
 * problem: the key path it starts with becomes the problem's key path.
 */
function secretProblem(text: string, where: string, segments: KeySegment[], locate: (segments: KeySegment[], message: string) => ConfigProblem): ConfigProblem {
  const rest = text.startsWith(where) ? text.slice(where.length) : text;
  const match = /^\.(scopes|headers|access_key_id|secret_access_key|session_token)(?:\[(\d+)\])?(?:\.(?:name|value))?: /.exec(rest);
  if (match === null) return locate(segments, rest.replace(/^: /, ''));
  const inner: KeySegment[] = [...segments, match[1] as string, ...(match[2] === undefined ? [] : [Number(match[2])])];
  return locate(inner, rest.slice(match[0].length));
}

/** `file:line:column: key: message`, the way each problem is listed. */
export function formatSandboxProblem(problem: ConfigProblem): string {
  const where = [problem.file, problem.line, problem.line === undefined ? undefined : problem.column].filter((part) => part !== undefined && part !== '').join(':');
  return [where, problem.keyPath, problem.message].filter((part) => part !== '').join(': ');
}

function invalid(code: 'REPO_SANDBOX_CONFIG_INVALID' | 'REPO_SANDBOX_ENV_UNSET', source: string, problems: readonly ConfigProblem[], hint: string): RepoSandboxError {
  const lines = problems.map(formatSandboxProblem);
  const message = lines.length === 1
    ? `Configuration error: ${lines[0] ?? ''}`
    : `Configuration error: ${source} has ${lines.length} problems:\n${lines.map((line) => `  ${line}`).join('\n')}`;
  return new RepoSandboxError(code, message, { hint, problems });
}
