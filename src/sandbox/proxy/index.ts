/**
 * The proxy program that runs inside the proxy container (see main.ts), and
 * the pieces the host needs to talk to it: its config format and its stdout
 * event format. `startProxy` runs it in-process (tests, benchmarks).
 */
export { startProxy, type RunningProxy, type StartProxyOptions } from './start-proxy.js';
export { parseProxyConfig, loadProxyConfig, ALLOWLIST_FILE, type ProxyConfig } from './proxy-config.js';
export { parseProxyEvent, type ProxyEvent, type NetworkLogEvent, type NetworkLogKind, type ReadyEvent, type FatalEvent } from './proxy-events.js';
export { ProxyError } from './proxy-error.js';
