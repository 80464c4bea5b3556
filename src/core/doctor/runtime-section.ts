import { assertNetworkBackend, NETWORK_BACKEND_FIX, NetworkSandboxError } from '../../sandbox/index.js';
import { ContainerRuntimeError, probeContainerStart, type ContainerRuntime } from '../../sandbox/index.js';
import { checkCgroups } from './cgroup-check.js';
import { containersConfFix, diagnoseProbeFailure, explainProbeFailure } from './probe-diagnosis.js';
import { failed, passed, type CheckResult, type SectionResult } from './report.js';
import { compareVersions, parseVersion } from './version-compare.js';

/** Oldest engine versions Airut supports. */
export const MIN_RUNTIME_VERSION = { podman: '4.0', docker: '20.10' } as const;

/** Inputs of {@link checkRuntime}. */
export interface RuntimeCheckDeps {
  /** The engine as configured (`execution.container_command` / `container_env`). */
  runtime: ContainerRuntime;
  /** Where the config said the engine comes from, for fixes that name the key. */
  commandSource: string;
  uid: number;
  arch: string;
  /** The cgroup filesystem, normally /sys/fs/cgroup. */
  cgroupRoot: string;
  /** Airut's config directory, where the containers.conf fix suggests to save the file. */
  configDir: string;
  now: () => number;
}

/**
 * Container runtime section: engine found and recent enough, podman's network
 * backend, a live container start, and whether resource limits can apply.
 */
export async function checkRuntime(deps: RuntimeCheckDeps): Promise<SectionResult> {
  const { runtime } = deps;
  const [engine, cgroups] = await Promise.all([checkEngine(deps), checkCgroups({ root: deps.cgroupRoot, uid: deps.uid })]);
  const checks = [engine.check];
  if (engine.usable) {
    const [backend, start] = await Promise.all([
      runtime.kind === 'podman' ? checkNetworkBackend(runtime) : undefined,
      checkContainerStart(deps),
    ]);
    if (backend !== undefined) checks.push(backend);
    checks.push(start);
  }
  checks.push(cgroups);
  return { name: 'Container runtime', checks };
}

async function checkEngine(deps: RuntimeCheckDeps): Promise<{ check: CheckResult; usable: boolean }> {
  const { runtime } = deps;
  const kind = runtime.kind;
  const minimum = MIN_RUNTIME_VERSION[kind];
  const name = kind === 'podman' ? 'Podman' : 'Docker';
  let output: { exitCode: number; stdout: string; stderr: string };
  try {
    output = await runtime.call(['--version'], { timeoutMs: 10_000 });
  } catch (error) {
    if (error instanceof ContainerRuntimeError && error.code === 'RUNTIME_NOT_FOUND') {
      return {
        usable: false,
        check: failed(name, 'critical', `"${runtime.command}" not found on PATH (${deps.commandSource})`,
          kind === 'podman' ? 'Install podman: apt-get install -y podman runc (or set execution.container_command).' : `Install docker or fix execution.container_command (${deps.commandSource}).`),
      };
    }
    return { usable: false, check: failed(name, 'critical', (error as Error).message, `Check that "${runtime.command}" is an executable container engine.`) };
  }
  const raw = output.stdout || output.stderr;
  const version = output.exitCode === 0 ? parseVersion(raw) : null;
  if (version === null) {
    return {
      usable: false,
      check: failed(name, 'critical', `"${runtime.command} --version" gave no version (exit ${output.exitCode}): ${firstLine(raw) || '(no output)'}`,
        `Run "${runtime.command} --version" to see what is wrong with the installation.`),
    };
  }
  if (compareVersions(version, minimum) < 0) {
    return {
      usable: true,
      check: failed(name, 'critical', `${version} is too old (need >= ${minimum})`, kind === 'podman' ? 'Upgrade podman to 4.0 or newer (Debian 12: apt-get install -y podman).' : `Upgrade docker to ${minimum} or newer.`),
    };
  }
  return { usable: true, check: passed(name, 'critical', `${version} (>= ${minimum})`) };
}

/** The same rule the network sandbox enforces when it starts, so both name the same fix. */
async function checkNetworkBackend(runtime: ContainerRuntime): Promise<CheckResult> {
  const name = 'Network backend';
  try {
    return passed(name, 'critical', await assertNetworkBackend(runtime));
  } catch (error) {
    if (!(error instanceof NetworkSandboxError)) throw error;
    return failed(name, 'critical', error.message, error.hint ?? NETWORK_BACKEND_FIX);
  }
}

async function checkContainerStart(deps: RuntimeCheckDeps): Promise<CheckResult> {
  const { runtime } = deps;
  const name = 'Container start';
  const started = deps.now();
  let result;
  try {
    result = await probeContainerStart(runtime, { arch: deps.arch });
  } catch (error) {
    const hint = error instanceof ContainerRuntimeError ? error.hint : undefined;
    return failed(name, 'critical', (error as Error).message, hint ?? `Run "${runtime.command} run --rm" with any local image by hand to see the error.`);
  }
  if (result.ok) {
    const seconds = ((deps.now() - started) / 1000).toFixed(1);
    return passed(name, 'critical', `started and removed a throw-away container (no registry, no network) in ${seconds} s`);
  }
  const message = engineMessage(result.stderr) || `exit ${result.exitCode}`;
  const causes = result.stage === 'run' ? diagnoseProbeFailure(result.stderr) : [];
  if (causes.length > 0) {
    return failed(name, 'critical', `${runtime.command} cannot start containers: ${explainProbeFailure(causes)}. ${runtime.command} said: ${message}`,
      containersConfFix({ rootless: deps.uid !== 0, configDir: deps.configDir }));
  }
  return failed(name, 'critical', `"${runtime.command} ${result.stage}" of a throw-away container failed: ${message}`,
    `Run "${runtime.command} info" and "${runtime.command} run --rm" with any local image by hand to see the full error.`);
}

function firstLine(text: string): string {
  return text.trim().split('\n').find((line) => line.trim() !== '')?.trim() ?? '';
}

/** The engine's error line, skipping the warnings podman prints before it. */
function engineMessage(stderr: string): string {
  const lines = stderr.split('\n').map((line) => line.trim()).filter(Boolean);
  return lines.find((line) => /^Error\b/i.test(line)) ?? lines.at(-1) ?? '';
}
