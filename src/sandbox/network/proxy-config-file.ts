import type { AllowlistDocument } from './allowlist/allowlist.js';
import { CA_CERT_MOUNT, CA_KEY_MOUNT, SECRETS_FILE, TASK_DIR_MOUNT, UPSTREAM_CA_MOUNT } from './proxy-layout.js';

/**
 * The JSON file the proxy program reads (`main.js --config <file>`): the one
 * declaration of this format. The host writes it ({@link proxyProgramConfig});
 * the proxy program validates it against {@link PROXY_CONFIG_KEYS} into its
 * settings (`parseProxyConfig`). Every path is a path inside the proxy
 * container. Keys marked optional have defaults in the proxy.
 */
export interface ProxyProgramConfig {
  /** Address the HTTP, HTTPS and DNS listeners bind. Default `0.0.0.0`. */
  listen_address?: string;
  /** Ports to listen on (defaults 80, 443, 53); 0 picks a free one (tests). */
  http_port?: number;
  https_port?: number;
  dns_port?: number;
  /** The proxy's address on the task network: the answer to every DNS A query. */
  proxy_ip: string;
  /** TTL of DNS answers, seconds. Default 60. */
  dns_ttl?: number;
  allowlist: AllowlistDocument;
  /** Masked secrets (real values); null when they come with the task file ({@link ProxyTaskFile}). */
  secrets_file?: string | null;
  ca_cert_file: string;
  ca_key_file: string;
  /** Host name -> IP used instead of DNS when connecting upstream. */
  upstream_hosts?: Record<string, string>;
  /** Resolver for upstream names (`IP` or `IPv4:port`); null means the container's own resolver. */
  upstream_dns?: string | null;
  /** Extra CA bundle trusted for upstream TLS besides the system roots; null for none. */
  upstream_ca_file?: string | null;
  /** Upstream ports (defaults 80 and 443); tests point them at their fake servers. */
  upstream_ports?: { http?: number; https?: number };
  /**
   * The task's `network-sandbox.log`, or null: then the proxy prints every log
   * line on stdout and the host writes the file (the network sandbox always
   * does, as the task's directory is not known when a proxy is prepared ahead
   * of its task).
   */
  log_file?: string | null;
}

// A Record over the keys, so the compiler fails when the format gains a key the list lacks.
const CONFIG_KEYS: Record<keyof ProxyProgramConfig, true> = {
  listen_address: true, http_port: true, https_port: true, dns_port: true, proxy_ip: true, dns_ttl: true,
  allowlist: true, secrets_file: true, ca_cert_file: true, ca_key_file: true, upstream_hosts: true,
  upstream_dns: true, upstream_ca_file: true, upstream_ports: true, log_file: true,
};

/** Every key of {@link ProxyProgramConfig}, for the parser that refuses unknown keys. */
export const PROXY_CONFIG_KEYS = Object.keys(CONFIG_KEYS) as readonly (keyof ProxyProgramConfig)[];

/**
 * The task file (`main.js --await-task <file>`), written when a task takes a
 * waiting proxy: the proxy reads it, then the secrets file, then listens.
 */
export interface ProxyTaskFile {
  allowlist: AllowlistDocument;
  /** Masked secrets (real values), written 0600 and deleted once the proxy serves; null for none. */
  secrets_file: string | null;
  /** Prices laid over the shipped table, by model id prefix (e.g. `claude-sonnet-4`). Optional. */
  prices?: Record<string, ModelPriceDocument>;
  /** Caps the proxy enforces for this task. Optional: none means nothing is refused for spending. */
  budgets?: ProxyBudgetCap[];
}

/** USD per million tokens of each kind. */
export interface ModelPriceDocument {
  input: number;
  output: number;
  /** Cache writes (`cache_creation_input_tokens`). */
  cache_write: number;
  /** Cache reads (`cache_read_input_tokens`). */
  cache_read: number;
}

/**
 * One spending cap of a task: reached when `spent_before` plus what the task
 * spends reaches `limit`. USD caps count Messages API usage and refuse
 * further Messages API calls; byte caps count body bytes both ways and refuse
 * every further request.
 */
export interface ProxyBudgetCap {
  /** The config key (or flag) that sets the cap, quoted in the refusal: `budgets.cost_usd.run`. */
  name: string;
  unit: 'usd' | 'bytes';
  limit: number;
  /** Spent before this task against the same cap (earlier runs of the conversation, the repo today). */
  spent_before: number;
}

/** Every key of {@link ProxyTaskFile}; `allowlist` and `secrets_file` are required. */
export const PROXY_TASK_KEYS: readonly (keyof ProxyTaskFile)[] = ['allowlist', 'secrets_file', 'prices', 'budgets'];

/** The task file for `allowlist`, with optional prices and budgets (plain data; the caller writes it). */
export function proxyTaskFile(
  allowlist: AllowlistDocument, extra: Pick<ProxyTaskFile, 'prices' | 'budgets'> = {},
): ProxyTaskFile & { secrets_file: string } {
  return {
    allowlist, secrets_file: `${TASK_DIR_MOUNT}/${SECRETS_FILE}`,
    ...(extra.prices === undefined ? {} : { prices: extra.prices }),
    ...(extra.budgets === undefined || extra.budgets.length === 0 ? {} : { budgets: extra.budgets }),
  };
}

/** What {@link proxyProgramConfig} needs from the caller. */
export interface ProxyConfigInput {
  proxyIp: string;
  upstreamHosts?: Record<string, string>;
  upstreamDns?: string;
  hasUpstreamCa: boolean;
}

/** The proxy's config for one task network, before its task is known (plain data; the caller writes it). */
export function proxyProgramConfig(input: ProxyConfigInput): ProxyProgramConfig {
  return {
    listen_address: '0.0.0.0',
    http_port: 80,
    https_port: 443,
    dns_port: 53,
    proxy_ip: input.proxyIp,
    // Fail closed: a proxy that somehow served before its task file would block everything.
    allowlist: { domains: [], url_prefixes: [] },
    secrets_file: null,
    ca_cert_file: CA_CERT_MOUNT,
    ca_key_file: CA_KEY_MOUNT,
    upstream_hosts: { ...(input.upstreamHosts ?? {}) },
    upstream_dns: input.upstreamDns ?? null,
    upstream_ca_file: input.hasUpstreamCa ? UPSTREAM_CA_MOUNT : null,
    log_file: null,
  };
}
