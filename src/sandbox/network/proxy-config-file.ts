import type { AllowlistDocument } from './allowlist/allowlist.js';
import { CA_CERT_MOUNT, CA_KEY_MOUNT, SECRETS_FILE, TASK_DIR_MOUNT, UPSTREAM_CA_MOUNT } from './proxy-layout.js';

/**
 * The JSON file the proxy program reads (`main.js --config <file>`). Every
 * path is a path inside the proxy container. The network sandbox writes it
 * before the proxy starts, with an empty allowlist and no secrets: the
 * task's come in the task file ({@link ProxyTaskFile}).
 */
export interface ProxyProgramConfig {
  /** Address the HTTP, HTTPS and DNS listeners bind (all interfaces of the proxy container). */
  listen_address: string;
  http_port: number;
  https_port: number;
  dns_port: number;
  /** The proxy's address on the task network: the answer to every DNS A query. */
  proxy_ip: string;
  allowlist: AllowlistDocument;
  /** Masked secrets (real values); null here, they come with the task file. */
  secrets_file: null;
  ca_cert_file: string;
  ca_key_file: string;
  /** Host name -> IP used instead of DNS when connecting upstream. */
  upstream_hosts: Record<string, string>;
  /** Resolver for upstream names; null means the container's own resolver. */
  upstream_dns: string | null;
  /** Extra CA bundle trusted for upstream TLS besides the system roots; null for none. */
  upstream_ca_file: string | null;
  /**
   * Always null here: the proxy prints every log line on stdout and the host
   * writes `network-sandbox.log` (the task's directory is not known when a
   * proxy is prepared ahead of its task).
   */
  log_file: null;
}

/**
 * The task file (`main.js --await-task <file>`), written when a task takes a
 * waiting proxy: the proxy reads it, then the secrets file, then listens.
 */
export interface ProxyTaskFile {
  allowlist: AllowlistDocument;
  /** Masked secrets (real values), written 0600 and deleted once the proxy serves. */
  secrets_file: string;
}

/** The task file for `allowlist` (plain data; the caller writes it). */
export function proxyTaskFile(allowlist: AllowlistDocument): ProxyTaskFile {
  return { allowlist, secrets_file: `${TASK_DIR_MOUNT}/${SECRETS_FILE}` };
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
