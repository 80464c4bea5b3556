import { rm } from 'node:fs/promises';
import { callSystemctl, runSystemctl, type ServiceHost } from './host.js';
import { unitPath, type ServiceScope } from './unit-location.js';
import { UNIT_NAME } from './unit-text.js';
import { entryExists } from '../fs/exists.js';

/** What {@link uninstallService} did. */
export interface UninstallResult {
  scope: ServiceScope;
  unitPath: string;
  /** False when there was no unit to remove (nothing was done). */
  removed: boolean;
}


/**
 * Stops and disables the service and removes its unit, then reloads systemd.
 * Stop and disable failures (a unit systemd never loaded) do not stop the removal.
 */
export async function uninstallService(options: ServiceHost & { scope: ServiceScope }): Promise<UninstallResult> {
  const report = options.report ?? (() => undefined);
  const file = unitPath(options.scope, options);
  if (!(await entryExists(file))) {
    report(`No unit at ${file}: nothing to remove.`);
    return { scope: options.scope, unitPath: file, removed: false };
  }
  const stop = await callSystemctl(options, options.scope, ['stop', UNIT_NAME]);
  report(stop.exitCode === 0 ? `Stopped ${UNIT_NAME}.` : `Could not stop ${UNIT_NAME} (${stop.stderr || `exit ${String(stop.exitCode)}`}); removing it anyway.`);
  const disable = await callSystemctl(options, options.scope, ['disable', UNIT_NAME]);
  report(disable.exitCode === 0 ? `Disabled ${UNIT_NAME}.` : `Could not disable ${UNIT_NAME} (${disable.stderr || `exit ${String(disable.exitCode)}`}); removing it anyway.`);
  await rm(file, { force: true });
  report(`Removed ${file}.`);
  await runSystemctl(options, options.scope, ['daemon-reload']);
  report('Reloaded systemd.');
  return { scope: options.scope, unitPath: file, removed: true };
}
