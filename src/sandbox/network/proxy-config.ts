import type { AllowlistDocument } from './allowlist/allowlist.js';
import { CA_CERT_MOUNT, CA_KEY_MOUNT, NETWORK_LOG_MOUNT, SECRETS_FILE, TASK_DIR_MOUNT, UPSTREAM_CA_MOUNT } from './proxy-layout.js';

/**
 * The JSON file the proxy program reads (`main.js --config <file>`). Every
 * path is a path inside the proxy container.
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
  /** Masked secrets (real values), written 0600 and deleted when the task ends. */
  secrets_file: string;
  ca_cert_file: string;
  ca_key_file: string;
  /** Host name -> IP used instead of DNS when connecting upstream. */
  upstream_hosts: Record<string, string>;
  /** Resolver for upstream names; null means the container's own resolver. */
  upstream_dns: string | null;
  /** Extra CA bundle trusted for upstream TLS besides the system roots; null for none. */
  upstream_ca_file: string | null;
  /** The task's `network-sandbox.log`. */
  log_file: string;
}

/** What {@link proxyProgramConfig} needs from the caller. */
export interface ProxyConfigInput {
  proxyIp: string;
  allowlist: AllowlistDocument;
  upstreamHosts?: Record<string, string>;
  upstreamDns?: string;
  hasUpstreamCa: boolean;
}

/** The proxy's config for one task (plain data; the caller writes it). */
export function proxyProgramConfig(input: ProxyConfigInput): ProxyProgramConfig {
  return {
    listen_address: '0.0.0.0',
    http_port: 80,
    https_port: 443,
    dns_port: 53,
    proxy_ip: input.proxyIp,
    allowlist: input.allowlist,
    secrets_file: `${TASK_DIR_MOUNT}/${SECRETS_FILE}`,
    ca_cert_file: CA_CERT_MOUNT,
    ca_key_file: CA_KEY_MOUNT,
    upstream_hosts: { ...(input.upstreamHosts ?? {}) },
    upstream_dns: input.upstreamDns ?? null,
    upstream_ca_file: input.hasUpstreamCa ? UPSTREAM_CA_MOUNT : null,
    log_file: NETWORK_LOG_MOUNT,
  };
}
