import { TASK_CA_PATH } from './proxy-layout.js';

/**
 * The variables every common TLS stack reads for its trust store. Git built
 * with GnuTLS (Debian's) ignores the OpenSSL ones and reads only
 * `GIT_SSL_CAINFO` (its `http.sslCAInfo`).
 */
export const CA_ENV_NAMES = ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'GIT_SSL_CAINFO'] as const;

/** What a task container joins. */
export interface TaskContainerNetwork {
  taskNetwork: string;
  proxyIp: string;
  /** Host path of Airut's CA certificate (never the key). */
  caCertPath: string;
}

/**
 * `podman run` arguments that put a task container behind the proxy: only the
 * task network (which has no route off its subnet), the proxy as its only
 * resolver with no search domains, IPv6 off (the host answers on the bridge's
 * link-local address otherwise), no unprivileged ICMP sockets (podman allows
 * them by default; with NET_RAW dropped this makes ping fail outright), and
 * Airut's CA read-only where `update-ca-certificates` picks it up.
 */
export function taskContainerArgs(network: TaskContainerNetwork): string[] {
  return [
    '--network', network.taskNetwork,
    '--dns', network.proxyIp,
    '--dns-search', '.',
    '--sysctl', 'net.ipv6.conf.all.disable_ipv6=1',
    '--sysctl', 'net.ipv6.conf.default.disable_ipv6=1',
    '--sysctl', 'net.ipv4.ping_group_range=1 0',
    '-v', `${network.caCertPath}:${TASK_CA_PATH}:ro`,
  ];
}

/**
 * Trust-store variables for the task. Each points at Airut's CA alone: every
 * TLS connection out of the container ends at the proxy, so no other root is
 * ever needed there, and `SSL_CERT_FILE` replacing OpenSSL's bundle is right.
 */
export function taskCaEnv(): Record<string, string> {
  return Object.fromEntries(CA_ENV_NAMES.map((name) => [name, TASK_CA_PATH]));
}
