import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { EnvReference, configTags } from '../config/index.js';
import { findMaskedSecretProblems, type MaskedSecret } from '../../sandbox/index.js';
import type { ResourceLimits } from '../../sandbox/index.js';
import { RepoSandboxError } from './error.js';

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
  /** `network_sandbox:`; default true. */
  networkSandbox: boolean;
  /** `resource_limits.timeout` in seconds. */
  timeoutSeconds: number | undefined;
  /** `resource_limits` other than the timeout. */
  resourceLimits: ResourceLimits;
  /** Keys that are accepted but not acted on yet, with why (e.g. `signing_credentials`). */
  unsupported: string[];
}

const TOP_KEYS = ['env', 'pass_env', 'masked_secrets', 'signing_credentials', 'network_sandbox', 'resource_limits'];
const SECRET_KEYS = ['value', 'scopes', 'headers', 'allow_foreign_credentials'];
const LIMIT_KEYS = ['timeout', 'memory', 'cpus', 'pids_limit'];
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TRUE_WORDS = ['true', '1', 'yes', 'on'];
const FALSE_WORDS = ['false', '0', 'no', 'off'];

/**
 * Reads `.airut/sandbox.yaml`. A missing file gives the defaults. Unknown
 * keys and wrong types are errors naming file, line and key; an `!env NAME`
 * whose variable is unset in `env` is an error too (fail closed: a secret
 * silently left empty would make the task run with the wrong credentials).
 * `!env NAME?` leaves the key out instead.
 *
 * @throws RepoSandboxError `REPO_SANDBOX_CONFIG_INVALID`, `REPO_SANDBOX_ENV_UNSET`, `REPO_SANDBOX_FILE_UNREADABLE`.
 */
export async function loadRepoSandboxConfig(path: string, env: Readonly<Record<string, string | undefined>>): Promise<RepoSandboxConfig> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return defaults(undefined);
    throw new RepoSandboxError('REPO_SANDBOX_FILE_UNREADABLE', `cannot read ${file}: ${(cause as Error).message}`, {
      hint: 'Check that the file is readable, or point --config at another one.',
      cause,
    });
  }
  return parseRepoSandboxConfig(text, file, env);
}

/** Parses the text of `.airut/sandbox.yaml`; `source` names the file in messages. See {@link loadRepoSandboxConfig}. */
export function parseRepoSandboxConfig(text: string, source: string, env: Readonly<Record<string, string | undefined>>): RepoSandboxConfig {
  const counter = new LineCounter();
  const doc = parseDocument(text, { customTags: configTags, uniqueKeys: true, prettyErrors: true, lineCounter: counter });
  const reader = new Reader(counter, source, env);
  const firstError = doc.errors[0];
  if (firstError) reader.fail(undefined, 'is not valid YAML', firstError.message.split('\n')[0] ?? firstError.message);
  const config = defaults(source);
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === undefined))) return config;
  if (!isMap(root)) reader.fail(root, 'the document must be a mapping', `Valid top-level keys: ${TOP_KEYS.join(', ')}.`);
  for (const [key, value] of reader.entries(root, '', TOP_KEYS)) {
    switch (key) {
      case 'env':
        for (const [name, item] of reader.entries(value, 'env')) {
          reader.envName(item, `env.${name}`, name);
          const resolved = reader.string(item, `env.${name}`);
          if (resolved !== undefined) config.env[name] = resolved;
        }
        break;
      case 'pass_env':
        config.passEnv = reader.list(value, 'pass_env').map((item, i) => {
          const name = reader.string(item, `pass_env[${i}]`) ?? '';
          reader.envName(item, `pass_env[${i}]`, name);
          return name;
        }).filter(Boolean);
        break;
      case 'masked_secrets':
        for (const [name, item] of reader.entries(value, 'masked_secrets')) config.maskedSecrets.push(...reader.secret(item, name));
        break;
      case 'signing_credentials':
        if (reader.entries(value, 'signing_credentials').length > 0) {
          config.unsupported.push(`${source}: signing_credentials is not supported yet by this Airut; the run goes ahead without AWS re-signing`);
        }
        break;
      case 'network_sandbox':
        config.networkSandbox = reader.boolean(value, 'network_sandbox');
        break;
      case 'resource_limits':
        for (const [limit, item] of reader.entries(value, 'resource_limits', LIMIT_KEYS)) {
          const where = `resource_limits.${limit}`;
          if (limit === 'timeout') config.timeoutSeconds = reader.number(item, where);
          else if (limit === 'memory') {
            const memory = reader.string(item, where);
            if (memory !== undefined) config.resourceLimits.memory = memory;
          } else if (limit === 'cpus') config.resourceLimits.cpus = reader.number(item, where);
          else config.resourceLimits.pidsLimit = reader.number(item, where);
        }
        break;
    }
  }
  return config;
}

function defaults(path: string | undefined): RepoSandboxConfig {
  return { path, env: {}, passEnv: [], maskedSecrets: [], networkSandbox: true, timeoutSeconds: undefined, resourceLimits: {}, unsupported: [] };
}

/** Walks the document, turning every problem into one located error. */
class Reader {
  constructor(
    private readonly lines: LineCounter,
    private readonly source: string,
    private readonly env: Readonly<Record<string, string | undefined>>,
  ) {}

  fail(node: unknown, what: string, valid: string, code: 'REPO_SANDBOX_CONFIG_INVALID' | 'REPO_SANDBOX_ENV_UNSET' = 'REPO_SANDBOX_CONFIG_INVALID'): never {
    const range = (node as Node | undefined)?.range;
    const line = range ? this.lines.linePos(range[0]).line : undefined;
    const where = line === undefined ? this.source : `${this.source}:${line}`;
    throw new RepoSandboxError(code, `Configuration error: ${where}: ${what}`, { hint: valid });
  }

  entries(node: unknown, where: string, known?: readonly string[]): [string, unknown][] {
    if (node === null || node === undefined || (isScalar(node) && node.value === null)) return [];
    if (!isMap(node)) this.fail(node, `${where || 'the document'} must be a mapping`, `Write it as \`${where}:\` followed by indented "key: value" lines.`);
    return node.items.map((pair) => {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (known && !known.includes(key)) {
        this.fail(pair.key, `unknown key ${JSON.stringify(where ? `${where}.${key}` : key)}`, `Valid keys${where ? ` under ${where}` : ''}: ${known.join(', ')}.`);
      }
      return [key, pair.value];
    });
  }

  list(node: unknown, where: string): unknown[] {
    if (node === null || node === undefined || (isScalar(node) && node.value === null)) return [];
    if (!isSeq(node)) this.fail(node, `${where} must be a list`, `Write it as \`${where}: [A, B]\`.`);
    return node.items;
  }

  /** A scalar as text, `!env` resolved; undefined for an unset optional reference. */
  string(node: unknown, where: string): string | undefined {
    if (!isScalar(node)) this.fail(node, `${where} must be a single value`, 'Give a string, a number or `!env NAME`.');
    const value = node.value;
    if (value instanceof EnvReference) {
      const resolved = this.env[value.name];
      if (resolved !== undefined) return resolved;
      if (value.optional) return undefined;
      this.fail(node, `${where}: environment variable '${value.name}' is not set`, `Set ${value.name} in the environment that runs airut, or write \`!env ${value.name}?\` to leave ${where} out when it is unset.`, 'REPO_SANDBOX_ENV_UNSET');
    }
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
    return this.fail(node, `${where} must be a string, number or boolean`, 'Quote the value if it is text.');
  }

  number(node: unknown, where: string): number {
    const text = this.string(node, where);
    const value = Number(text);
    if (text === undefined || text.trim() === '' || !Number.isFinite(value)) this.fail(node, `${where} ${JSON.stringify(text)} is not a number`, `Give ${where} as a number, like 600.`);
    return value;
  }

  boolean(node: unknown, where: string): boolean {
    const text = (this.string(node, where) ?? '').toLowerCase();
    if (TRUE_WORDS.includes(text)) return true;
    if (FALSE_WORDS.includes(text)) return false;
    return this.fail(node, `${where} ${JSON.stringify(text)} is not a boolean`, `Use one of ${[...TRUE_WORDS, ...FALSE_WORDS].join(', ')}.`);
  }

  envName(node: unknown, where: string, name: string): void {
    if (!ENV_NAME.test(name)) this.fail(node, `${where}: ${JSON.stringify(name)} is not an environment variable name`, 'Names are letters, digits and "_", not starting with a digit.');
  }

  secret(node: unknown, name: string): MaskedSecret[] {
    const where = `masked_secrets.${name}`;
    this.envName(node, where, name);
    let value: string | undefined;
    let scopes: string[] = [];
    let headers: string[] = [];
    let allowForeign = false;
    for (const [key, item] of this.entries(node, where, SECRET_KEYS)) {
      if (key === 'value') value = this.string(item, `${where}.value`);
      else if (key === 'allow_foreign_credentials') allowForeign = this.boolean(item, `${where}.allow_foreign_credentials`);
      else {
        const list = this.list(item, `${where}.${key}`).map((entry, i) => this.string(entry, `${where}.${key}[${i}]`) ?? '');
        if (key === 'scopes') scopes = list;
        else headers = list;
      }
    }
    // An optional !env that is unset leaves the whole secret out.
    if (value === undefined) {
      const raw = isMap(node) ? node.get('value', true) : undefined;
      if (raw === undefined) this.fail(node, `${where}.value is missing`, 'Give the real value, usually as `value: !env NAME`.');
      return [];
    }
    const secret: MaskedSecret = { name, value, scopes, headers, allowForeignCredentials: allowForeign };
    const problems = findMaskedSecretProblems(secret, where);
    if (problems.length > 0) this.fail(node, problems.join('; '), 'A masked secret needs `value`, a non-empty `scopes` list of host patterns and a non-empty `headers` list of header names.');
    return [secret];
  }
}
