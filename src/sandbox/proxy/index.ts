/**
 * The proxy program that runs inside the proxy container (see main.ts), and
 * the pieces the host needs to talk to it: its config format and its stdout
 * event format. `startProxy` runs it in-process (tests, benchmarks).
 */
export { prepareProxy, startProxy, type PreparedProxy, type RunningProxy, type StartProxyOptions } from './start-proxy.js';
export { parseProxyConfig, loadProxyConfig, loadProxyTask, ALLOWLIST_FILE, type ProxyConfig, type ProxyTask } from './proxy-config.js';
export { parseProxyEvent, type ProxyEvent, type NetworkLogEvent, type NetworkLogKind, type ReadyEvent, type HealthEvent, type FatalEvent, type WaitingEvent, type StoppedEvent } from '../network/proxy-events.js';
export { ProxyError } from './proxy-error.js';
