import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { parseProxyEvent, type ProxyEvent } from './proxy-events.js';
import { diagnoseEngineFailure, engineFailureHint, type ContainerRuntime } from '../runtime/index.js';
import { NetworkSandboxError } from './error.js';
import {
  CA_CERT_MOUNT, CA_KEY_MOUNT, CONFIG_FILE, PACKAGE_MOUNT, PROXY_NODE_ARGS, PROXY_PROGRAM, READINESS_PROBE, TASK_DIR_MOUNT, TASK_FILE, UPSTREAM_CA_MOUNT,
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
  /** Host directory holding the config file, and the task and secrets files once a task takes the proxy. */
  taskDir: string;
  caCertPath: string;
  caKeyPath: string;
  upstreamCaFile?: string;
}

/**
 * The `podman run` arguments of a proxy container (without the engine name).
 *
 * The egress network comes first so the proxy's default route leaves through
 * it; the task network has none. The root filesystem is read-only, every
 * capability but binding ports below 1024 is dropped, and forwarding is off in
 * the proxy's network namespace (podman copies the host's `ip_forward=1`
 * into it): a task packet addressed elsewhere is dropped, never routed on.
 *
 * The program runs with `--await-task` and stdin attached: it loads its
 * config and the CA, then waits for `start` before it reads the task file
 * (allowlist, secrets) and binds anything, and stops when stdin closes (also
 * when the host process dies).
 */
export function proxyRunArgs(plan: ProxyRunPlan): string[] {
  const ro = (host: string, inside: string): string[] => ['-v', `${host}:${inside}:ro`];
  return [
    'run', '--rm', '--pull=never', '-i',
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
    plan.image,
    ...PROXY_NODE_ARGS,
    `${PACKAGE_MOUNT}/${PROXY_PROGRAM}`, '--config', `${TASK_DIR_MOUNT}/${CONFIG_FILE}`, '--await-task', `${TASK_DIR_MOUNT}/${TASK_FILE}`,
  ];
}

/** How long and how to wait for a proxy to serve. */
export interface ProxyStartOptions {
  /** Give up after this long. Default 20 s. */
  readyTimeoutMs?: number;
  /**
   * When no `{"event":"ready"}` line came after this long, also probe the ports
   * from inside the container (a proxy that does not announce itself). Default
   * 5 s: Airut's proxy announces itself, and on a loaded machine an early probe
   * (a second node inside the container) only slows the start it waits for.
   */
  probeAfterMs?: number;
  /**
   * Once serving, a proxy that announced health reports and sent none for
   * this long counts as failed (frozen or stuck). Default: five report
   * intervals (2.5 s). A DNS probe that times out delays a report by most of
   * an interval, and a loaded machine by a little more, without being a
   * failure; and the run must still end within 5 s of the failure.
   */
  healthStallMs?: number;
  /**
   * Hold requests the allowlist blocks for this long, waiting for
   * {@link ProxyContainer.decide}, before their 403. Default 0: no holds.
   */
  holdMs?: number;
}

/** A serving proxy's DNS probe must fail this many times in a row before the proxy counts as failed. */
const DNS_FAILURES_TO_FAIL = 3;

const STDERR_TAIL = 4000;
/** How long a stopping proxy may take to close and say `stopped` before it is removed by force. */
const STOP_GRACE_MS = 5000;

/**
 * A proxy container that was started and waits, loaded but serving nothing,
 * until {@link ProxyContainer.start} hands it its task. Used once: it serves
 * one task and is removed.
 */
export class ProxyContainer {
  /** Called for every event the proxy prints, in order (stray lines are skipped). Set by whoever takes the proxy. */
  onLine: ((event: ProxyEvent) => void) | undefined;
  /** Resolves once the program is loaded (`waiting`), or it ended; never rejects. */
  readonly warm: Promise<void>;
  /**
   * Resolves, with what went wrong, if the proxy fails while it serves: it
   * exits before {@link finish} or {@link remove} was asked, its DNS responder
   * stops answering, or it stops sending health reports. Never rejects; stays
   * pending when the proxy is fine.
   */
  readonly failure: Promise<string>;

  private readonly child: ReturnType<ContainerRuntime['spawn']>;
  private readonly exited: Promise<number | undefined>;
  private stderr = '';
  private fatal = '';
  private readonly waiters = new Map<'ready' | 'stopped', () => void>();
  private removed: Promise<void> | undefined;
  private readonly stdoutClosed: Promise<void>;
  /** Set once the host asked the proxy to end: an exit after that is not a failure. */
  private ending = false;
  /** Set once `start` saw the proxy serve: from then on an unasked exit is a failure. */
  private serving = false;
  private failed: string | undefined;
  private reportFailure: (reason: string) => void = () => undefined;
  /** The `health_ms` of the `ready` event; undefined for a proxy that sends no health reports. */
  private healthMs: number | undefined;
  private lastHealth = 0;
  private dnsFailures = 0;
  private watchdog: NodeJS.Timeout | undefined;
  /** Holds the proxy announced and the host has not answered yet (it may still expire at the proxy). */
  private readonly openHolds = new Set<string>();

  private constructor(private readonly runtime: ContainerRuntime, readonly plan: ProxyRunPlan) {
    this.child = runtime.spawn(proxyRunArgs(plan), { stdin: 'pipe' });
    // A proxy that died already makes the `start` write fail: its exit is reported instead.
    this.child.stdin?.on('error', () => undefined);
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    this.exited = this.child.then((result) => result.exitCode);
    let markWarm: () => void = () => undefined;
    this.warm = new Promise<void>((resolve) => { markWarm = resolve; });
    void this.exited.then(() => markWarm());
    this.failure = new Promise<string>((resolve) => { this.reportFailure = resolve; });
    void this.exited.then((code) => this.onExit(code));
    const lines = createInterface({ input: this.child.stdout, crlfDelay: Infinity });
    this.stdoutClosed = new Promise<void>((resolve) => { lines.once('close', resolve); });
    lines.on('line', (line) => {
      const event = parseProxyEvent(line);
      if (event === undefined) return;
      if (event.event === 'health') {
        this.onHealth(event.dns);
        return;
      }
      if (event.event === 'ready') this.healthMs = event.health_ms;
      if (event.event === 'hold') this.openHolds.add(event.id);
      if (event.event === 'hold_end') this.openHolds.delete(event.id);
      if (event.event === 'waiting') markWarm();
      if (event.event === 'fatal') this.fatal = `${event.code}: ${event.message}`;
      if (event.event === 'ready' || event.event === 'stopped') this.waiters.get(event.event)?.();
      this.onLine?.(event);
    });
  }

  /** Runs the proxy container; it loads and waits for {@link start}. */
  static spawn(runtime: ContainerRuntime, plan: ProxyRunPlan): ProxyContainer {
    return new ProxyContainer(runtime, plan);
  }

  /**
   * Tells the proxy to read its task file (which must be in the task dir by now)
   * and resolves once it serves: when it prints `{"event":"ready"}`, or
   * (fallback) when a probe run inside it connects to ports 80 and 443 and
   * gets a DNS answer on 53. Fails with the proxy's `fatal` event or stderr
   * when it exits first, or after the timeout; the container is then removed.
   */
  async start(options: ProxyStartOptions = {}): Promise<void> {
    const ready = this.eventSeen('ready');
    // Before `start`: the proxy holds nothing unless told so.
    if ((options.holdMs ?? 0) > 0) this.child.stdin?.write(`${JSON.stringify({ hold_ms: options.holdMs })}\n`);
    this.child.stdin?.write('start\n');
    const timeoutMs = options.readyTimeoutMs ?? 20_000;
    const abort = new AbortController();
    try {
      const outcome = await Promise.race([
        ready.then(() => 'ready' as const),
        this.probeUntilReady(options.probeAfterMs ?? 5000, abort.signal).then(() => 'ready' as const),
        this.exited.then((code) => ({ exited: code })),
        delay(timeoutMs, abort.signal).then(() => 'timeout' as const),
      ]);
      if (outcome !== 'ready') {
        const why = outcome === 'timeout' ? `did not answer within ${timeoutMs} ms` : `exited with code ${outcome.exited ?? '?'}`;
        const detail = this.fatal || this.stderr.trim().split('\n').slice(-5).join(' / ');
        throw new NetworkSandboxError('NETWORK_PROXY_NOT_READY', `proxy container ${this.plan.name} ${why}${detail ? `: ${detail}` : ''}`, {
          // An engine that cannot start any container is a host problem, not a missing file.
          hint: proxyStartHint(`${detail}\n${this.stderr}`, this.runtime.command, `Check that ${this.plan.packageRoot}/${PROXY_PROGRAM} exists (npm run build) and that ${this.plan.image} runs node.`),
        });
      }
      this.watch(options.healthStallMs);
    } catch (error) {
      await this.remove();
      throw error;
    } finally {
      abort.abort();
    }
  }

  /**
   * Answers hold `id` (a `hold` event this proxy printed). Only the first
   * answer to a hold that is still open is sent: true then. A second answer,
   * an id this proxy never announced, or one that already ended, sends
   * nothing and returns false. The proxy itself only lets the request
   * through on an allow of that id arriving within the hold time.
   */
  decide(id: string, allow: boolean): boolean {
    if (!this.openHolds.delete(id) || this.ending) return false;
    const stdin = this.child.stdin;
    if (stdin === null || stdin === undefined || stdin.writableEnded) return false;
    stdin.write(`${JSON.stringify({ decide: id, allow })}\n`);
    return true;
  }

  /**
   * Closes the proxy's stdin and waits until it said `stopped` (every log line
   * has been printed by then) or exited; a proxy that does neither in time is
   * left to {@link remove}.
   */
  async finish(): Promise<void> {
    this.stopWatching();
    const stopped = this.eventSeen('stopped');
    this.child.stdin?.end();
    // A failed proxy will not say `stopped`; waiting for it would only delay the removal.
    if (this.failed !== undefined) return;
    const abort = new AbortController();
    await Promise.race([stopped, this.exited, delay(STOP_GRACE_MS, abort.signal)]);
    abort.abort();
  }

  /**
   * Makes sure the container is gone and its client ended. A proxy that
   * finished is removed by its own `--rm`; anything else is removed by force.
   * Safe to call twice.
   */
  remove(): Promise<void> {
    this.stopWatching();
    this.removed ??= (async () => {
      const abort = new AbortController();
      const grace = this.child.stdin?.writableEnded === true && this.failed === undefined ? STOP_GRACE_MS : 0;
      const code = await Promise.race([this.exited, delay(grace, abort.signal).then(() => 'running' as const)]);
      abort.abort();
      if (code === 0) return;
      let removed = await this.runtime.call(['rm', '-f', '-t', '0', this.plan.name]);
      if (removed.exitCode !== 0) {
        // A paused (frozen) container ends on the forced removal while its own
        // `--rm` client removes it too, and one of the two loses ("container
        // state improper"): let the client finish, then look again.
        const settle = new AbortController();
        await Promise.race([this.exited, delay(STOP_GRACE_MS, settle.signal)]);
        settle.abort();
        const exists = await this.runtime.call(['container', 'exists', this.plan.name]);
        if (exists.exitCode !== 0) removed = exists.exitCode === 1 ? { ...removed, exitCode: 0 } : removed;
        else removed = await this.runtime.call(['rm', '-f', '-t', '0', this.plan.name]);
      }
      if (removed.exitCode !== 0) {
        // The client would wait for a container that is still there: report instead.
        throw new NetworkSandboxError('NETWORK_RELEASE_FAILED', `podman could not remove proxy container ${this.plan.name}: ${removed.stderr.trim()}`, {
          hint: `Remove it by hand: podman rm -f ${this.plan.name}`,
        });
      }
      this.child.stdin?.destroy();
      await this.exited;
    })();
    return this.removed;
  }

  /** Starts watching a proxy that now serves: its exit, and its health reports if it announced them. */
  private watch(stallMs: number | undefined): void {
    if (this.ending) return;
    this.serving = true;
    const healthMs = this.healthMs;
    if (healthMs === undefined) return;
    const stall = stallMs ?? healthMs * 5;
    this.lastHealth = performance.now();
    this.watchdog = setInterval(() => {
      if (performance.now() - this.lastHealth <= stall) return;
      // After a stall of this process itself, timers run before pending stdout is
      // read: look again once the poll phase has delivered what arrived meanwhile.
      setImmediate(() => {
        const silentMs = performance.now() - this.lastHealth;
        if (silentMs > stall) this.fail(`the proxy sent no health report for ${(silentMs / 1000).toFixed(1)} s: it is frozen or stuck`);
      });
    }, Math.max(50, Math.floor(Math.min(healthMs, stall) / 4)));
    this.watchdog.unref();
  }

  private onHealth(dns: string): void {
    this.lastHealth = performance.now();
    if (dns === 'ok') {
      this.dnsFailures = 0;
      return;
    }
    this.dnsFailures++;
    if (this.dnsFailures >= DNS_FAILURES_TO_FAIL) this.fail(`the proxy's DNS responder stopped answering: ${dns}`);
  }

  private async onExit(code: number | undefined): Promise<void> {
    // The fatal event, if any, is printed just before the exit: read it first.
    const abort = new AbortController();
    await Promise.race([this.stdoutClosed, delay(500, abort.signal)]);
    abort.abort();
    if (this.ending || !this.serving) return;
    const how = code === undefined ? 'ended' : code === 137 ? 'was killed (exit code 137)' : `exited with code ${code}`;
    const detail = this.fatal || this.stderr.trim().split('\n').slice(-5).join(' / ');
    this.fail(`proxy container ${this.plan.name} ${how}${detail ? `: ${detail}` : ''}`);
  }

  private fail(reason: string): void {
    if (this.ending || this.failed !== undefined) return;
    this.failed = reason;
    this.stopWatching();
    this.reportFailure(reason);
    // Nothing to wait for: a dead or stuck proxy is removed while the task is being
    // ended, not after (the slot's discard awaits this same removal and reports its failure).
    this.remove().catch(() => undefined);
  }

  private stopWatching(): void {
    this.ending = true;
    clearInterval(this.watchdog);
    this.watchdog = undefined;
  }

  private eventSeen(name: 'ready' | 'stopped'): Promise<void> {
    return new Promise<void>((resolve) => { this.waiters.set(name, resolve); });
  }

  private async probeUntilReady(afterMs: number, signal: AbortSignal): Promise<void> {
    let wait = afterMs;
    for (;;) {
      await delay(wait, signal);
      const probe = ['exec', this.plan.name, 'node', `${PACKAGE_MOUNT}/${READINESS_PROBE}`, this.plan.proxyIp];
      const result = await this.runtime.call(probe, { signal, timeoutMs: 5000 }).catch(() => undefined);
      if (signal.aborted) {
        return new Promise(() => undefined);
      }
      if (result?.exitCode === 0) {
        return;
      }
      wait = Math.min(Math.max(wait, 100) * 1.5, 1000);
    }
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return;
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  });
}

function proxyStartHint(engineOutput: string, command: string, otherwise: string): string {
  const causes = diagnoseEngineFailure(engineOutput);
  return causes.length > 0 ? engineFailureHint(causes, command) : otherwise;
}
