/**
 * The proxy program's entry point, run inside the proxy container as
 * `node <package>/dist/sandbox/proxy/main.js --config <file>`.
 *
 * It prints only JSON events on stdout (see proxy-events.ts), exits 1 with a
 * `fatal` event when it cannot start, and exits 0 on SIGTERM or SIGINT after
 * closing its listeners.
 */
import { parseArgs } from 'node:util';
import { isAirutError } from '../error.js';
import { loadProxyConfig } from './proxy-config.js';
import type { ProxyEvent } from './proxy-events.js';
import { startProxy } from './start-proxy.js';

function emit(event: ProxyEvent): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

function fatal(error: unknown): never {
  if (isAirutError(error)) {
    emit({ event: 'fatal', code: error.code, message: error.message, hint: error.hint ?? null });
  } else {
    emit({ event: 'fatal', code: 'PROXY_CRASHED', message: error instanceof Error ? (error.stack ?? error.message) : String(error), hint: null });
  }
  process.exit(1);
}

async function main(): Promise<void> {
  let configPath: string | undefined;
  try {
    configPath = parseArgs({ options: { config: { type: 'string' } }, strict: true }).values.config;
  } catch (error) {
    fatal(error);
  }
  if (configPath === undefined) {
    emit({ event: 'fatal', code: 'PROXY_CONFIG_UNREADABLE', message: 'Missing --config <file>.', hint: 'Usage: node main.js --config /path/proxy-config.json' });
    process.exit(2);
  }
  const config = loadProxyConfig(configPath);
  const proxy = await startProxy(config, { onEvent: emit });
  emit({ event: 'ready', http_port: proxy.ports.http, https_port: proxy.ports.https, dns_port: proxy.ports.dns });
  const stop = (): void => {
    proxy.close().then(() => process.exit(0), fatal);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

// A bug that escapes every per-connection guard ends the proxy, and with it the
// task: running on in an unknown state would be worse for a security boundary.
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);
main().catch(fatal);
