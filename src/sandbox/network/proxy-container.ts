import { createInterface } from 'node:readline';
import { parseProxyEvent, type ProxyEvent } from '../proxy/proxy-events.js';
import type { ContainerRuntime } from '../runtime/index.js';
import { NetworkSandboxError } from './error.js';
import {
  CA_CERT_MOUNT, CA_KEY_MOUNT, CONFIG_FILE, NETWORK_LOG_MOUNT, PACKAGE_MOUNT, PROXY_NODE_ARGS, PROXY_PROGRAM, TASK_DIR_MOUNT, UPSTREAM_CA_MOUNT,
} from './proxy-layout.js';

/** Everything the proxy container of one task is made of (host paths). */
export interface ProxyRunPlan {
  name: string;
  image: string;
  /** `--label` arguments. */
  labelArgs: readonly string[];
  egressNetwork: string;
  taskNetwork: string;
  proxyIp: string;
  packageRoot: string;
  /** Host directory holding the config and secrets files. */
  taskDir: string;
  caCertPath: string;
  caKeyPath: string;
  upstreamCaFile?: string;
  networkLogPath: string;
}

/**
 * The `podman run` arguments of a proxy container (without the engine name).
 *
 * The egress network comes first so the proxy's default route leaves through
 * it; the task network has none. The root filesystem is read-only, every
 * capability but binding ports below 1024 is dropped, and forwarding is off in
 * the proxy's network namespace (podman copies the host's `ip_forward=1`
 * into it): a task packet addressed elsewhere is dropped, never routed on.
 */
export function proxyRunArgs(plan: ProxyRunPlan): string[] {
  const ro = (host: string, inside: string): string[] => ['-v', `${host}:${inside}:ro`];
  return [
    'run', '--rm', '--pull=never',
    '--name', plan.name,
    ...plan.labelArgs,
    '--network', plan.egressNetwork,
    '--network', `${plan.taskNetwork}:ip=${plan.proxyIp}`,
    '--read-only', '--tmpfs', '/tmp',
    '--cap-drop', 'ALL', '--cap-add', 'NET_BIND_SERVICE',
    '--security-opt', 'no-new-privileges',
    '--sysctl', 'net.ipv4.ip_forward=0',
    ...ro(plan.packageRoot, PACKAGE_MOUNT),
    ...ro(plan.taskDir, TASK_DIR_MOUNT),
    ...ro(plan.caCertPath, CA_CERT_MOUNT),
    ...ro(plan.caKeyPath, CA_KEY_MOUNT),
    ...(plan.upstreamCaFile === undefined ? [] : ro(plan.upstreamCaFile, UPSTREAM_CA_MOUNT)),
    '-v', `${plan.networkLogPath}:${NETWORK_LOG_MOUNT}:rw`,
    plan.image,
    ...PROXY_NODE_ARGS,
    `${PACKAGE_MOUNT}/${PROXY_PROGRAM}`, '--config', `${TASK_DIR_MOUNT}/${CONFIG_FILE}`,
  ];
}

/** How long and how to wait for a proxy. */
export interface ProxyStartOptions {
  /** Called for every event the proxy prints, in order, for as long as it runs (stray lines are skipped). */
  onLine?: (event: ProxyEvent) => void;
  /** Give up after this long. Default 20 s. */
  readyTimeoutMs?: number;
  /**
   * When no `{"event":"ready"}` line came after this long, also probe the ports
   * from inside the container (a proxy that does not announce itself). Default
   * 5 s: Airut's proxy announces itself, and on a loaded machine an early probe
   * (a second node inside the container) only slows the start it waits for.
   */
  probeAfterMs?: number;
}

/** A running proxy container. */
export interface RunningProxy {
  readonly name: string;
  /** Removes the container and waits for its client to end. Safe to call twice. */
  stop(): Promise<void>;
}

const STDERR_TAIL = 4000;

/**
 * Starts the proxy container and resolves once it serves: when it prints
 * `{"event":"ready"}`, or (fallback) when a probe run inside it connects to
 * ports 80 and 443 and gets a DNS answer on 53. Fails fast with the proxy's
 * `fatal` event or stderr when it exits first. On failure the container is removed.
 */
export async function startProxy(runtime: ContainerRuntime, plan: ProxyRunPlan, options: ProxyStartOptions = {}): Promise<RunningProxy> {
  const child = runtime.spawn(proxyRunArgs(plan));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
  });
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      const removed = await runtime.call(['rm', '-f', '-t', '0', plan.name]);
      if (removed.exitCode !== 0) {
        // The client would wait for a container that is still there: report instead.
        throw new NetworkSandboxError('NETWORK_RELEASE_FAILED', `podman could not remove proxy container ${plan.name}: ${removed.stderr.trim()}`, {
          hint: `Remove it by hand: podman rm -f ${plan.name}`,
        });
      }
      await child;
    })();
    return stopped;
  };

  let markReady: () => void = () => undefined;
  const readyLine = new Promise<void>((resolve) => { markReady = resolve; });
  let fatal = '';
  const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
  lines.on('line', (line) => {
    const event = parseProxyEvent(line);
    if (event === undefined) return;
    if (event.event === 'ready') markReady();
    if (event.event === 'fatal') fatal = `${event.code}: ${event.message}`;
    options.onLine?.(event);
  });
  const exited = child.then((result) => result.exitCode);

  const timeoutMs = options.readyTimeoutMs ?? 20_000;
  const abort = new AbortController();
  try {
    const outcome = await Promise.race([
      readyLine.then(() => 'ready' as const),
      probeUntilReady(runtime, plan, options.probeAfterMs ?? 5000, abort.signal).then(() => 'ready' as const),
      exited.then((code) => ({ exited: code })),
      delay(timeoutMs, abort.signal).then(() => 'timeout' as const),
    ]);
    if (outcome !== 'ready') {
      const why = outcome === 'timeout' ? `did not answer within ${timeoutMs} ms` : `exited with code ${outcome.exited ?? '?'}`;
      const detail = fatal || stderr.trim().split('\n').slice(-5).join(' / ');
      throw new NetworkSandboxError('NETWORK_PROXY_NOT_READY', `proxy container ${plan.name} ${why}${detail ? `: ${detail}` : ''}`, {
        hint: `Check that ${plan.packageRoot}/${PROXY_PROGRAM} exists (npm run build) and that ${plan.image} runs node.`,
      });
    }
    return { name: plan.name, stop };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    abort.abort();
  }
}

// Runs inside the proxy container with its own node: TCP connects to 80 and
// 443 and one DNS A query to 53, all on the proxy's task-network address.
const PROBE = `
const net = require('node:net'), dgram = require('node:dgram');
const ip = process.argv[1];
const tcp = (port) => new Promise((ok, fail) => { const s = net.connect(port, ip, () => { s.destroy(); ok(); }); s.on('error', fail); });
const dns = () => new Promise((ok, fail) => {
  const s = dgram.createSocket('udp4');
  const q = Buffer.from('abcd01000001000000000000057265616479056169727574000001' + '0001', 'hex');
  const t = setTimeout(() => { s.close(); fail(new Error('dns timeout')); }, 500);
  s.on('message', () => { clearTimeout(t); s.close(); ok(); });
  s.on('error', fail);
  s.send(q, 53, ip);
});
Promise.all([tcp(80), tcp(443), dns()]).then(() => process.exit(0), () => process.exit(1));
`;

async function probeUntilReady(runtime: ContainerRuntime, plan: ProxyRunPlan, afterMs: number, signal: AbortSignal): Promise<void> {
  let wait = afterMs;
  for (;;) {
    await delay(wait, signal);
    const result = await runtime.call(['exec', plan.name, 'node', '-e', PROBE, plan.proxyIp], { signal, timeoutMs: 5000 }).catch(() => undefined);
    if (signal.aborted) {
      return new Promise(() => undefined);
    }
    if (result?.exitCode === 0) {
      return;
    }
    wait = Math.min(Math.max(wait, 100) * 1.5, 1000);
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return;
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  });
}
