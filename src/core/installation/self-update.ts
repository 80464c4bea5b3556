import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { ServiceError, TASKS_IN_FLIGHT_EXIT_CODE } from './error.js';
import { describeTasks, isBusy, readTasksInFlight, waitUntilIdle, type FetchLike } from './tasks-in-flight.js';
import { isActive, runSystemctl, type ServiceHost } from './host.js';
import { detectInstallMethod, type InstallMethod } from './install-method.js';
import { unitPath, type ServiceScope } from './unit-location.js';
import { UNIT_NAME } from './unit-text.js';

/** Inputs of {@link updateAirut}. */
export interface UpdateOptions extends ServiceHost {
  packageName: string;
  packageRoot: string;
  currentVersion: string;
  /** `--version`; the newest on the registry (npm) or the channel (tarball) when absent. */
  targetVersion: string | undefined;
  /** Wait for running and queued tasks instead of refusing. */
  wait: boolean;
  /** Do not ask the service about tasks at all. */
  force: boolean;
  /** The Node binary running Airut, which runs the new version's check. */
  nodePath: string;
  /** Base URL of the local dashboard, `undefined` when it is disabled. */
  dashboardUrl: string | undefined;
  /** The oclif tarball launcher (`AIRUT_BINPATH`), when installed that way. */
  binPath: string | undefined;
  /** Upgrades (or returns to) a version of a tarball install with @oclif/plugin-update. */
  tarballUpdate: (version: string | undefined) => Promise<void>;
  fetchHealth?: FetchLike;
  sleep?: (ms: number) => Promise<void>;
}

/** How an update ended. A failed check of the new version is a result: the old one runs again. */
export type UpdateResult =
  | { outcome: 'up-to-date'; version: string }
  | { outcome: 'updated'; from: string; to: string; serviceRestarted: boolean }
  | { outcome: 'rolled-back'; from: string; attempted: string; checkOutput: string; serviceRestarted: boolean };

const NPM_TIMEOUT_MS = 300_000;
const CHECK_TIMEOUT_MS = 180_000;

async function installedScope(host: ServiceHost): Promise<ServiceScope | undefined> {
  for (const scope of ['user', 'system'] as const) {
    try {
      await access(unitPath(scope, host));
      return scope;
    } catch {
      // Not installed in this scope.
    }
  }
  return undefined;
}

function refuse(method: Exclude<InstallMethod, { kind: 'npm-global' | 'oclif-tarball' }>, packageName: string): ServiceError {
  switch (method.kind) {
    case 'git':
      return new ServiceError('SERVICE_INSTALL_UNSUPPORTED', `Airut runs from a git checkout (${method.packageRoot}); update does not touch working trees`, {
        hint: `Update the checkout instead: git -C ${method.packageRoot} pull && npm --prefix ${method.packageRoot} install`,
      });
    case 'npx':
      return new ServiceError('SERVICE_INSTALL_UNSUPPORTED', `Airut runs through npx (${method.packageRoot}); there is no installation to update`, {
        hint: `Run the version you want directly: npx ${packageName}@latest, or install it: npm install -g ${packageName}`,
      });
    case 'unknown':
      return new ServiceError('SERVICE_INSTALL_UNSUPPORTED', `cannot tell how Airut at ${method.packageRoot} was installed (not under \`npm root -g\`, not an oclif tarball)`, {
        hint: `Install it globally with npm (npm install -g ${packageName}) or update it the way you installed it.`,
      });
  }
}

async function guardTasks(options: UpdateOptions, report: (line: string) => void): Promise<void> {
  if (options.force) {
    report('Not asking the service about running tasks (--force).');
    return;
  }
  if (options.dashboardUrl === undefined) return;
  const tasks = await readTasksInFlight(options.dashboardUrl, options.fetchHealth);
  if (tasks === undefined) {
    report(`No service answered at ${options.dashboardUrl}: no tasks to wait for.`);
    return;
  }
  if (!isBusy(tasks)) {
    report(`No tasks in flight at ${options.dashboardUrl}.`);
    return;
  }
  if (!options.wait) {
    throw new ServiceError('SERVICE_TASKS_IN_FLIGHT', `cannot update while tasks are in flight: ${describeTasks(tasks)} (${options.dashboardUrl})`, {
      exitCode: TASKS_IN_FLIGHT_EXIT_CODE,
      hint: 'Run `airut update --wait` to update once they are done, or `airut update --force` to interrupt them.',
    });
  }
  report(`Tasks in flight: ${describeTasks(tasks)}. Waiting for them to finish...`);
  await waitUntilIdle(options.dashboardUrl, { fetchHealth: options.fetchHealth, sleep: options.sleep, report });
  report('All tasks finished.');
}

async function npm(options: UpdateOptions, args: string[]): Promise<{ ok: boolean; output: string }> {
  const outcome = await options.runner('npm', args, { env: options.env, timeoutMs: NPM_TIMEOUT_MS });
  if (outcome.notFound) {
    throw new ServiceError('SERVICE_UPGRADE_FAILED', 'npm was not found on PATH, but Airut was installed with it', { hint: 'Put npm on PATH and run airut update again.' });
  }
  return { ok: outcome.exitCode === 0, output: [outcome.stdout, outcome.stderr].filter((text) => text !== '').join('\n') };
}

/**
 * Upgrades Airut the way it was installed, without cutting off running tasks:
 * refuses (or waits) while the service reports any, stops the service, installs
 * the new version, runs its `airut check`, and starts the service again. When
 * the check fails, the previous version is put back and started instead.
 */
export async function updateAirut(options: UpdateOptions): Promise<UpdateResult> {
  const report = options.report ?? (() => undefined);
  const { currentVersion: from, packageName } = options;
  await guardTasks(options, report);

  const method = await detectInstallMethod({ packageRoot: options.packageRoot, packageName, runner: options.runner, env: options.env, binPath: options.binPath });
  if (method.kind !== 'npm-global' && method.kind !== 'oclif-tarball') throw refuse(method, packageName);

  let target = options.targetVersion;
  if (target === undefined && method.kind === 'npm-global') {
    const view = await npm(options, ['view', packageName, 'version']);
    if (!view.ok) throw new ServiceError('SERVICE_UPGRADE_FAILED', `could not ask the npm registry for the newest ${packageName}: ${view.output}`, { hint: 'Check `npm config get registry` and the network, or pass --version.' });
    target = view.output.trim();
  }
  if (target === from) {
    report(`${packageName} ${from} is already up to date.`);
    return { outcome: 'up-to-date', version: from };
  }

  const scope = await installedScope(options);
  const wasActive = scope !== undefined && await isActive(options, scope);
  if (scope !== undefined && wasActive) {
    await runSystemctl(options, scope, ['stop', UNIT_NAME]);
    report(`Stopped ${UNIT_NAME}.`);
  }
  const startAgain = async (): Promise<boolean> => {
    if (scope === undefined || !wasActive) return false;
    await runSystemctl(options, scope, ['start', UNIT_NAME]);
    report(`Started ${UNIT_NAME}.`);
    return true;
  };

  const install = async (version: string | undefined): Promise<{ ok: boolean; output: string }> => {
    if (method.kind === 'npm-global') return npm(options, ['install', '--global', `${packageName}@${version ?? 'latest'}`]);
    try {
      await options.tarballUpdate(version);
      return { ok: true, output: '' };
    } catch (error) {
      return { ok: false, output: (error as Error).message };
    }
  };

  const label = target ?? 'the newest version';
  report(`Installing ${packageName} ${label} (${method.kind === 'npm-global' ? 'npm' : '@oclif/plugin-update'})...`);
  const upgraded = await install(target);
  if (!upgraded.ok) {
    const restarted = await startAgain();
    throw new ServiceError('SERVICE_UPGRADE_FAILED', `installing ${packageName} ${label} failed; ${from} is still installed${restarted ? ' and the service runs again' : ''}:\n${upgraded.output}`, {
      hint: method.kind === 'npm-global' ? `Try it by hand to see the full output: npm install --global ${packageName}@${target ?? 'latest'}` : 'Check the network and the update channel of this install.',
    });
  }

  const checkArgv = method.kind === 'npm-global'
    ? { file: options.nodePath, args: [join(options.packageRoot, 'bin', 'run.js'), 'check'] }
    : { file: method.binPath, args: ['check'] };
  report(`Running ${packageName} check with the new version...`);
  const check = await options.runner(checkArgv.file, checkArgv.args, { env: options.env, timeoutMs: CHECK_TIMEOUT_MS });
  const checkOutput = [check.stdout, check.stderr].filter((text) => text !== '').join('\n');
  if (check.exitCode === 0) {
    report(`Installed ${packageName} ${label}; the check passed.`);
    const serviceRestarted = await startAgain();
    return { outcome: 'updated', from, to: target ?? 'latest', serviceRestarted };
  }

  report(`The check of ${label} failed; putting ${from} back...`);
  const restored = await install(from);
  if (!restored.ok) {
    throw new ServiceError('SERVICE_UPGRADE_FAILED', `the check of ${packageName} ${label} failed, and reinstalling ${from} failed too; the service is stopped:\n${restored.output}`, {
      hint: `Reinstall by hand (npm install --global ${packageName}@${from}), then: systemctl${scope === 'user' ? ' --user' : ''} start ${UNIT_NAME}`,
    });
  }
  const serviceRestarted = await startAgain();
  return { outcome: 'rolled-back', from, attempted: label, checkOutput, serviceRestarted };
}
