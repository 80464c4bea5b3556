/**
 * The proxy program's entry point, run inside the proxy container as
 * `node <package>/dist/sandbox/proxy/main.js --config <file> [--await-task <file>]`.
 *
 * It prints only JSON events on stdout (see proxy-events.ts), exits 1 with a
 * `fatal` event when it cannot start, and exits 0 on SIGTERM or SIGINT after
 * closing its listeners.
 *
 * With `--await-task` (how the network sandbox runs it) the program loads its
 * config and CA, prints `waiting` and reads stdin. Only when the line
 * `start` arrives does it read the task file (the allowlist and the secrets
 * file; the config's own are ignored) and bind its listeners: a proxy
 * prepared ahead of its task has no allowlist and no secrets, and serves
 * nothing, until the task hands them over. When stdin closes (the host is
 * done, or gone) it closes everything, prints `stopped` and exits 0.
 *
 * Holds (see hold-gate.ts): a `{"hold_ms":N}` line before `start` makes
 * blocked requests wait up to N ms for a `{"decide":ID,"allow":BOOL}` line.
 * A decision for no waiting hold, or a malformed one, is ignored with a
 * WARNING log line: it never lets anything through.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { isAirutError } from '../error.js';
import { HoldGate } from './hold-gate.js';
import { parseHoldControl } from './hold-control.js';
import { HEALTH_INTERVAL_MS, healthQueryName, startHealthReports, type HealthReports } from './dns-health.js';
import { loadProxyConfig, loadProxyTask, type ProxyConfig } from './proxy-config.js';
import { ProxyError } from './proxy-error.js';
import type { ProxyEvent } from '../network/proxy-events.js';
import { prepareProxy, startProxy, type RunningProxy } from './start-proxy.js';

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
  let values: { config?: string; 'await-task'?: string } = {};
  try {
    values = parseArgs({ options: { config: { type: 'string' }, 'await-task': { type: 'string' } }, strict: true }).values;
  } catch (error) {
    fatal(error);
  }
  const configPath = values.config;
  if (configPath === undefined) {
    emit({ event: 'fatal', code: 'PROXY_CONFIG_UNREADABLE', message: 'Missing --config <file>.', hint: 'Usage: node main.js --config /path/proxy-config.json [--await-task /path/task.json]' });
    process.exit(2);
  }
  const config = loadProxyConfig(configPath);
  if (values['await-task'] !== undefined) {
    await awaitTask(config, values['await-task']);
    return;
  }
  const proxy = await startProxy(config, { onEvent: emit });
  announce(proxy);
  const stop = (): void => {
    proxy.close().then(() => process.exit(0), fatal);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

function announce(proxy: RunningProxy, healthMs?: number): void {
  emit({ event: 'ready', http_port: proxy.ports.http, https_port: proxy.ports.https, dns_port: proxy.ports.dns, ...(healthMs === undefined ? {} : { health_ms: healthMs }) });
}

async function awaitTask(config: ProxyConfig, taskPath: string): Promise<void> {
  const queryName = healthQueryName();
  const holds = new HoldGate({ emit });
  const prepared = await prepareProxy(config, { onEvent: emit, healthQueryName: queryName, holds });
  const warn = (text: string): void => {
    emit({ event: 'log', kind: 'WARNING', level: 'warn', line: `WARNING: ${text.replace(/[\r\n]+/g, ' ')}`, time: new Date().toISOString() });
  };
  let running: Promise<RunningProxy> | undefined;
  let health: HealthReports | undefined;
  // The host watches the reports: a proxy whose DNS stops answering, or that stops
  // reporting at all (frozen, stuck), has its task stopped (see proxy-container.ts).
  const watchHealth = (proxy: RunningProxy): void => {
    announce(proxy, HEALTH_INTERVAL_MS);
    const address = config.listenAddress === '0.0.0.0' ? config.proxyIp : config.listenAddress;
    health = startHealthReports({ address, port: proxy.ports.dns, name: queryName }, HEALTH_INTERVAL_MS, emit);
  };
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on('line', (line) => {
    const control = parseHoldControl(line);
    if (control?.kind === 'decide' && running !== undefined) {
      if (holds.decide(control.id, control.allow) === 'unknown') {
        warn(`decision ${control.allow ? 'allow' : 'deny'} for hold ${JSON.stringify(control.id.slice(0, 40))} ignored: no such hold is waiting (unknown, already decided or expired)`);
      }
      return;
    }
    if (control?.kind === 'invalid' && running !== undefined) {
      warn(`hold control line ignored: ${control.problem}`);
      return;
    }
    if (control?.kind === 'hold_ms' && running === undefined) {
      holds.enable(control.ms);
      return;
    }
    if (line !== 'start' || running !== undefined) {
      fatal(new ProxyError('PROXY_CONTROL_INVALID', `Unexpected control line ${JSON.stringify(line.slice(0, 40))} on stdin.`, {
        hint: 'The host writes {"hold_ms":N} (optional) and "start" once, then decisions {"decide":ID,"allow":BOOL}, then closes stdin to stop the proxy.',
      }));
    }
    running = (async () => prepared.listen(loadProxyTask(taskPath)))();
    running.then(watchHealth, fatal);
  });
  lines.once('close', () => {
    void (async () => {
      // Nobody is left to decide: every held request gets its 403 now.
      holds.close();
      health?.stop();
      if (running === undefined) prepared.close();
      else await (await running).close();
      emit({ event: 'stopped' });
      process.exit(0);
    })().catch(fatal);
  });
  const stop = (): void => { lines.close(); };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  emit({ event: 'waiting' });
}

// A bug that escapes every per-connection guard ends the proxy, and with it the
// task: running on in an unknown state would be worse for a security boundary.
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);
main().catch(fatal);
