/**
 * Where things live inside the proxy container. The host side mounts them;
 * the proxy program only ever sees these paths (through its config file).
 */

/** The installed Airut package root, mounted read-only. */
export const PACKAGE_MOUNT = '/opt/airut';
/** The proxy program, relative to the package root. */
export const PROXY_PROGRAM = 'dist/sandbox/proxy/main.js';
/** The fallback readiness probe for a proxy that does not announce itself, relative to the package root. */
export const READINESS_PROBE = 'dist/sandbox/proxy/readiness-probe.js';
/** The per-task directory (config and secrets files, written when a task takes the proxy), mounted read-only. */
export const TASK_DIR_MOUNT = '/run/airut/task';
/** The proxy's config file inside {@link TASK_DIR_MOUNT}, written before the proxy starts. */
export const CONFIG_FILE = 'proxy-config.json';
/** The task's allowlist and secrets file name inside {@link TASK_DIR_MOUNT}, written when a task takes the proxy. */
export const TASK_FILE = 'task.json';
/** The masked-secrets file inside {@link TASK_DIR_MOUNT} (0600 on the host). */
export const SECRETS_FILE = 'secrets.json';
/** Airut's CA certificate and key, read-only. */
export const CA_CERT_MOUNT = '/run/airut/ca/ca-cert.pem';
export const CA_KEY_MOUNT = '/run/airut/ca/ca-key.pem';
/** The operator's extra CA bundle for upstream TLS, read-only. */
export const UPSTREAM_CA_MOUNT = '/run/airut/upstream-ca.pem';
/** Where task containers find Airut's CA certificate. */
export const TASK_CA_PATH = '/usr/local/share/ca-certificates/airut-ca.crt';

/**
 * Node flags of the proxy process. A 1 MB young generation keeps the peak
 * RSS under the benchmark's streaming load at ~74 MB instead of ~85 MB with
 * 2 MB and ~118 MB with Node's default (measured with `npm run bench --
 * proxy`, 4 keep-alive connections): bodies pass through in small chunks that
 * die young, so a larger semi-space mostly delays collecting them. It costs
 * some GET throughput (within the noise of this 2-core machine).
 */
export const PROXY_NODE_ARGS: readonly string[] = ['--max-semi-space-size=1'];
