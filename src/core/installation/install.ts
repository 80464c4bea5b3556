import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ServiceError } from './error.js';
import { runSystemctl, type ServiceHost } from './host.js';
import { requireLinger } from './linger.js';
import { findExecutable, planUnit } from './unit-plan.js';
import { unitPath, type ServiceScope } from './unit-location.js';
import { renderUnit, UNIT_NAME } from './unit-text.js';

/** Inputs of {@link installService}. */
export interface InstallOptions extends ServiceHost {
  scope: ServiceScope;
  /** Effective user id: a system unit needs root. */
  uid: number;
  /** Login name, for the linger check of user units. */
  user: string | undefined;
  nodePath: string;
  entryPoint: string;
  configFile: string | undefined;
  shutdownTimeoutSeconds: number;
  /** `execution.container_command`: `podman`, `docker` or a path. */
  containerCommand: string;
}

/** What {@link installService} did. */
export interface InstallResult {
  scope: ServiceScope;
  unitPath: string;
  /** Whether the unit file was new, rewritten with other content, or already as wanted. */
  unit: 'created' | 'updated' | 'unchanged';
  /** Tools the service needs that are not on PATH (it was installed anyway). */
  missingTools: string[];
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function writeUnit(file: string, text: string): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true });
    // Written beside and renamed so systemd never reads half a unit.
    await writeFile(`${file}.tmp`, text, { mode: 0o644 });
    await rename(`${file}.tmp`, file);
  } catch (error) {
    throw new ServiceError('SERVICE_UNIT_WRITE_FAILED', `could not write the unit ${file}: ${(error as Error).message}`, {
      hint: 'Check that the directory is writable by this user.',
      cause: error,
    });
  }
}

/**
 * Installs (or updates in place) the systemd unit running `airut serve`, then
 * reloads systemd, enables and starts it. Running it again with the same inputs
 * changes nothing and leaves a running service alone; a changed unit restarts it.
 */
export async function installService(options: InstallOptions): Promise<InstallResult> {
  const report = options.report ?? (() => undefined);
  if (options.scope === 'system' && options.uid !== 0) {
    throw new ServiceError('SERVICE_SYSTEM_NEEDS_ROOT', `--system writes to ${unitPath('system', options)} and needs root (running as uid ${options.uid})`, {
      hint: 'Run it as root (sudo airut install-service --system), or drop --system for a user unit.',
    });
  }
  if (options.scope === 'user') {
    if (options.user === undefined || options.user === '') {
      throw new ServiceError('SERVICE_USER_UNKNOWN', 'cannot tell which user to install the service for: USER is not set and the login name is unknown', {
        hint: 'Set USER to your login name and run it again.',
      });
    }
    await requireLinger(options, options.user);
  }

  const [containerRuntime, git] = await Promise.all([
    findExecutable(options.containerCommand, options.env.PATH),
    findExecutable('git', options.env.PATH),
  ]);
  const missingTools = [
    ...(containerRuntime === undefined ? [options.containerCommand] : []),
    ...(git === undefined ? ['git'] : []),
  ];
  const text = renderUnit(planUnit({
    scope: options.scope,
    nodePath: options.nodePath,
    entryPoint: options.entryPoint,
    configFile: options.configFile,
    shutdownTimeoutSeconds: options.shutdownTimeoutSeconds,
    tools: { containerRuntime, git },
    env: options.env,
  }));

  const file = unitPath(options.scope, options);
  const previous = await readIfExists(file);
  const unit = previous === undefined ? 'created' : previous === text ? 'unchanged' : 'updated';
  if (unit === 'unchanged') {
    report(`Unit ${file} is already up to date.`);
  } else {
    await writeUnit(file, text);
    report(`${unit === 'created' ? 'Wrote' : 'Updated'} unit ${file}.`);
    await runSystemctl(options, options.scope, ['daemon-reload']);
    report('Reloaded systemd.');
  }
  for (const tool of missingTools) report(`Warning: ${tool} is not on PATH; the service cannot run tasks until it is.`);
  await runSystemctl(options, options.scope, ['enable', UNIT_NAME]);
  report(`Enabled ${UNIT_NAME}.`);
  // start is a no-op for a running unit; only a changed unit needs a restart.
  const verb = unit === 'updated' ? 'restart' : 'start';
  await runSystemctl(options, options.scope, [verb, UNIT_NAME]);
  report(`${verb === 'restart' ? 'Restarted' : 'Started'} ${UNIT_NAME}.`);
  return { scope: options.scope, unitPath: file, unit, missingTools };
}
