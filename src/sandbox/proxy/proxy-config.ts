import { readFileSync } from 'node:fs';
import { isIPv4, isIP } from 'node:net';
// The modules themselves, not the allowlist index: that one also loads the YAML parser.
import type { Allowlist } from '../network/allowlist/allowlist.js';
import { allowlistFromObject } from '../network/allowlist/validate.js';
import { PROXY_CONFIG_KEYS, PROXY_TASK_KEYS, type ProxyBudgetCap } from '../network/proxy-config-file.js';
import { parseBudgetCaps } from './budget-caps.js';
import { parsePrices, type PriceTable } from './price-table.js';
import { ProxyError } from './proxy-error.js';

/** The proxy program's settings, validated (see {@link parseProxyConfig} for the JSON form). */
export interface ProxyConfig {
  /** Address the HTTP, HTTPS and DNS listeners bind. */
  listenAddress: string;
  /** Ports to listen on; 0 picks a free one (tests). */
  httpPort: number;
  httpsPort: number;
  dnsPort: number;
  /** The proxy's address on the task network: the answer to every DNS A query. */
  proxyIp: string;
  /** TTL of DNS answers, seconds. */
  dnsTtl: number;
  allowlist: Allowlist;
  /** Masked secrets with their real values; read once at start (the host deletes it later). */
  secretsFile: string | undefined;
  caCertFile: string;
  caKeyFile: string;
  /** Lower-case host name -> IP, consulted before DNS when connecting upstream. */
  upstreamHosts: ReadonlyMap<string, string>;
  /** Resolver for upstream names, `IP` or `IPv4:port`; undefined means the system resolver. */
  upstreamDns: string | undefined;
  /** Extra PEM CA bundle trusted for upstream TLS besides Node's bundled roots. */
  upstreamCaFile: string | undefined;
  /** Upstream ports: 443 and 80 in production; tests point them at their fake servers. */
  upstreamPorts: { http: number; https: number };
  /**
   * The task's `network-sandbox.log`; undefined when the host writes it from
   * the `log` events on stdout (the proxy container of the network sandbox).
   */
  logFile: string | undefined;
}

/** What a proxy learns only when its task starts. */
export interface ProxyTask {
  allowlist: Allowlist;
  /** Masked secrets' file (real values); read once, when the proxy starts listening. */
  secretsFile: string | undefined;
  /** Prices of Messages API usage; the shipped table when not given. */
  prices?: PriceTable;
  /** Spending caps of the task; none when not given. */
  budgets?: readonly ProxyBudgetCap[];
}

/** The file name quoted in 403 messages and used as the allowlist's source. */
export const ALLOWLIST_FILE = '.airut/network-allowlist.yaml';

// The file format is declared once, beside the host code that writes it.
const KEYS = new Set<string>(PROXY_CONFIG_KEYS);
const TASK_KEYS = new Set<string>(PROXY_TASK_KEYS);

/**
 * Validates the proxy's JSON config (a `ProxyProgramConfig`, snake_case, as written by the host):
 *
 * ```json
 * { "listen_address": "0.0.0.0", "http_port": 80, "https_port": 443, "dns_port": 53,
 *   "proxy_ip": "10.199.1.100", "dns_ttl": 60,
 *   "allowlist": {"domains": [], "url_prefixes": []},
 *   "secrets_file": "/run/airut/task/secrets.json" | null,
 *   "ca_cert_file": "...", "ca_key_file": "...",
 *   "upstream_hosts": {"api.example.com": "192.0.2.10"}, "upstream_dns": "10.0.0.53" | null,
 *   "upstream_ca_file": "..." | null, "upstream_ports": {"http": 80, "https": 443},
 *   "log_file": "/run/airut/network-sandbox.log" | null }
 * ```
 *
 * Ports, `listen_address`, `dns_ttl`, `upstream_*`, `secrets_file` and `log_file` are
 * optional; unknown keys are refused (a typo must not silently drop a setting).
 *
 * @param source where the value came from, quoted in errors
 * @throws ProxyError `PROXY_CONFIG_INVALID`, or an `AllowlistError` for a bad allowlist
 */
export function parseProxyConfig(value: unknown, source: string): ProxyConfig {
  const fail = (key: string, problem: string): never => {
    throw new ProxyError('PROXY_CONFIG_INVALID', `Proxy config ${source}: ${key} ${problem}.`, {
      hint: 'The host writes this file; a wrong value means the host and the proxy program disagree on its format.',
    });
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('(top level)', 'must be a JSON object');
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!KEYS.has(key)) fail(key, `is not a known key (known: ${[...KEYS].join(', ')})`);
  }

  const string = (key: string): string => {
    const v = record[key];
    if (typeof v !== 'string' || v === '') fail(key, `must be a non-empty string, got ${JSON.stringify(v)}`);
    return v as string;
  };
  const optionalString = (key: string): string | undefined => (record[key] === undefined || record[key] === null ? undefined : string(key));
  const port = (key: string, fallback: number, v: unknown = record[key]): number => {
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 65535) fail(key, `must be a port number 0-65535, got ${JSON.stringify(v)}`);
    return v as number;
  };
  const ipv4 = (key: string, v: string | undefined): string | undefined => {
    if (v !== undefined && !isIPv4(v)) fail(key, `must be an IPv4 address, got ${JSON.stringify(v)}`);
    return v;
  };

  const listenAddress = optionalString('listen_address') ?? '0.0.0.0';
  if (!isIP(listenAddress)) fail('listen_address', `must be an IP address, got ${JSON.stringify(listenAddress)}`);
  const proxyIp = ipv4('proxy_ip', string('proxy_ip')) as string;
  const dnsTtl = record.dns_ttl === undefined ? 60 : record.dns_ttl;
  if (typeof dnsTtl !== 'number' || !Number.isInteger(dnsTtl) || dnsTtl < 0 || dnsTtl > 86_400) fail('dns_ttl', `must be whole seconds 0-86400, got ${JSON.stringify(dnsTtl)}`);

  if (record.allowlist === undefined) fail('allowlist', 'is missing (give it as an object {"domains": [...], "url_prefixes": [...]})');
  const allowlist: Allowlist = allowlistFromObject(record.allowlist, ALLOWLIST_FILE);

  const hosts = new Map<string, string>();
  const rawHosts = record.upstream_hosts ?? {};
  if (typeof rawHosts !== 'object' || rawHosts === null || Array.isArray(rawHosts)) fail('upstream_hosts', 'must be an object mapping host names to IP addresses');
  for (const [host, ip] of Object.entries(rawHosts as Record<string, unknown>)) {
    if (typeof ip !== 'string' || !isIP(ip)) fail(`upstream_hosts.${host}`, `must be an IP address, got ${JSON.stringify(ip)}`);
    hosts.set(host.toLowerCase().replace(/\.$/, ''), ip as string);
  }

  const rawPorts = record.upstream_ports ?? {};
  if (typeof rawPorts !== 'object' || rawPorts === null || Array.isArray(rawPorts)) fail('upstream_ports', 'must be an object {"http": port, "https": port}');
  const ports = rawPorts as Record<string, unknown>;
  for (const key of Object.keys(ports)) if (key !== 'http' && key !== 'https') fail(`upstream_ports.${key}`, 'is not a known key (known: http, https)');
  const upstreamPorts = { http: port('upstream_ports.http', 80, ports.http), https: port('upstream_ports.https', 443, ports.https) };
  if (upstreamPorts.http === 0 || upstreamPorts.https === 0) fail('upstream_ports', 'must not be 0');

  const upstreamDns = optionalString('upstream_dns');
  if (upstreamDns !== undefined && !isResolverAddress(upstreamDns)) fail('upstream_dns', `must be an IP address or IPv4:port, got ${JSON.stringify(upstreamDns)}`);

  return {
    listenAddress,
    httpPort: port('http_port', 80),
    httpsPort: port('https_port', 443),
    dnsPort: port('dns_port', 53),
    proxyIp,
    dnsTtl: dnsTtl as number,
    allowlist,
    secretsFile: optionalString('secrets_file'),
    caCertFile: string('ca_cert_file'),
    caKeyFile: string('ca_key_file'),
    upstreamHosts: hosts,
    upstreamDns,
    upstreamCaFile: optionalString('upstream_ca_file'),
    upstreamPorts,
    logFile: optionalString('log_file'),
  };
}

function isResolverAddress(value: string): boolean {
  if (isIP(value)) return true;
  const match = /^(.+):(\d{1,5})$/.exec(value);
  return match !== null && isIPv4(match[1] as string) && Number(match[2]) > 0 && Number(match[2]) <= 65535;
}

/**
 * Reads and validates the config file the program is started with.
 * @throws ProxyError `PROXY_CONFIG_UNREADABLE` / `PROXY_CONFIG_INVALID`, or `AllowlistError`
 */
export function loadProxyConfig(path: string): ProxyConfig {
  return parseProxyConfig(readJson(path), path);
}

/**
 * Reads the task file a proxy started with `--await-task` gets when its task
 * starts: `{"allowlist": {"domains": [], "url_prefixes": []}, "secrets_file": "/run/airut/task/secrets.json" | null}`.
 * Both keys are required; unknown keys are refused.
 * @throws ProxyError `PROXY_CONFIG_UNREADABLE` / `PROXY_CONFIG_INVALID`, or `AllowlistError`
 */
export function loadProxyTask(path: string): ProxyTask {
  const value = readJson(path);
  const fail = (problem: string): never => {
    throw new ProxyError('PROXY_CONFIG_INVALID', `Proxy task file ${path}: ${problem}.`, {
      hint: 'The host writes this file when the task starts; a wrong value means the host and the proxy program disagree on its format.',
    });
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('must be a JSON object');
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!TASK_KEYS.has(key)) fail(`${key} is not a known key (known: ${[...TASK_KEYS].join(', ')})`);
  }
  if (record.allowlist === undefined) fail('allowlist is missing');
  const secretsFile = record.secrets_file;
  if (secretsFile !== null && (typeof secretsFile !== 'string' || secretsFile === '')) fail(`secrets_file must be a path or null, got ${JSON.stringify(secretsFile)}`);
  return {
    allowlist: allowlistFromObject(record.allowlist, ALLOWLIST_FILE),
    secretsFile: (secretsFile as string | null) ?? undefined,
    prices: parsePrices(record.prices, `Proxy task file ${path}`),
    budgets: parseBudgetCaps(record.budgets, `Proxy task file ${path}`),
  };
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ProxyError('PROXY_CONFIG_UNREADABLE', `Cannot read the proxy config ${path}: ${(cause as Error).message}.`, {
      hint: 'The host mounts it into the proxy container; check the path given to the program and the mount.',
      cause,
    });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ProxyError('PROXY_CONFIG_INVALID', `The proxy config ${path} is not valid JSON: ${(cause as Error).message}.`, { cause });
  }
}
