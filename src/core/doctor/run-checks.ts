import { readFile } from 'node:fs/promises';
import { fetch as undiciFetch } from 'undici';
import { ContainerRuntime } from '../../sandbox/index.js';
import { configPaths, resolveConfigPath } from '../config/index.js';
import { checkConfig } from './config-section.js';
import { checkGit } from './git-section.js';
import { runProcess, type ProcessRunner } from '../process/index.js';
import { buildReport, type DoctorReport } from './report.js';
import { checkRuntime } from './runtime-section.js';
import { checkService } from './service-section.js';
import { dashboardUrlOf } from './service-health.js';
import { checkVersion, type FetchLike } from './version-section.js';

/** The world `airut check` looks at. The command passes the real one; tests a fake HOME and PATH. */
export interface DoctorDeps {
  /** The process environment (PATH decides which git, podman, systemctl run). */
  env: Readonly<Record<string, string | undefined>>;
  /** The user's home directory. */
  home: string;
  /** Working directory (relative --config paths, the project .npmrc). */
  cwd: string;
  /** The `--config` flag, when given. */
  configFlag?: string | undefined;
  /** Name and version of the installed package; read from package.json by default. */
  installed?: { name: string; version: string };
  /** Runs git and systemctl. */
  runner?: ProcessRunner;
  /** Queries the npm registry; undici's fetch by default. */
  fetch?: FetchLike;
  /** Milliseconds since the epoch. */
  now?: () => number;
  /** The user id podman runs as (root or rootless). */
  uid?: number;
  /** CPU architecture, for the container start probe. */
  arch?: string;
  /** The node binary, whose prefix holds npm's global config. Default: `process.execPath`. */
  execPath?: string;
  /** The cgroup filesystem. */
  cgroupRoot?: string;
  /** How long the registry may take before the version check gives up. */
  registryTimeoutMs?: number;
}

/**
 * Runs every check of `airut check`: Version, Configuration, Container runtime,
 * Git, Service. Sections run concurrently; the container runtime is the one the
 * config names (`execution.container_command`, `execution.container_env`), or
 * podman with the process environment when there is no usable config.
 */
export async function runChecks(deps: DoctorDeps): Promise<DoctorReport> {
  const runner = deps.runner ?? runProcess;
  const now = deps.now ?? Date.now;
  const configPath = resolveConfigPath({ flag: deps.configFlag, env: deps.env, home: deps.home, cwd: deps.cwd });
  const installed = deps.installed ?? (await readInstalled());
  const versionSection = checkVersion({
    installed,
    env: deps.env,
    home: deps.home,
    cwd: deps.cwd,
    execPath: deps.execPath ?? process.execPath,
    fetch: deps.fetch ?? undiciFetch,
    timeoutMs: deps.registryTimeoutMs ?? 3_000,
  });
  const gitSection = checkGit({ runner, env: deps.env });
  const config = await checkConfig({ path: configPath, env: deps.env });
  const dashboard = config.loaded?.config.dashboard;
  const serviceSection = checkService({
    runner, env: deps.env, home: deps.home, installedVersion: installed.version,
    dashboardUrl: dashboardUrlOf(dashboard ?? {}), baseUrl: dashboard?.base_url,
  });
  const execution = config.loaded?.config.execution;
  const runtimeEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(deps.env)) if (value !== undefined) runtimeEnv[name] = value;
  const runtime = new ContainerRuntime({ command: execution?.container_command ?? 'podman', env: { ...runtimeEnv, ...(execution?.container_env ?? {}) } });
  const runtimeSection = checkRuntime({
    runtime,
    commandSource: config.loaded?.exists ? `execution.container_command in ${configPath}` : 'the default',
    uid: deps.uid ?? process.getuid?.() ?? 0,
    arch: deps.arch ?? process.arch,
    cgroupRoot: deps.cgroupRoot ?? '/sys/fs/cgroup',
    configDir: configPaths(deps.env, deps.home).configDir,
    now,
  });
  return buildReport([await versionSection, config.section, await runtimeSection, await gitSection, await serviceSection]);
}

async function readInstalled(): Promise<{ name: string; version: string }> {
  const manifest = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
  return { name: manifest.name, version: manifest.version };
}
