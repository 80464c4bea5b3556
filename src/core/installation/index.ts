/**
 * Airut's installation on the host: running it as a systemd service (the unit
 * text as plain data, install/uninstall through systemctl) and upgrading it
 * safely (`airut update`). Named apart from the gateway's running service
 * (`gateway/service.ts`), which this area only installs and probes.
 */
export { ServiceError, TASKS_IN_FLIGHT_EXIT_CODE, type ServiceErrorCode } from './error.js';
export { renderUnit, UNIT_NAME, type UnitSpec } from './unit-text.js';
export { planUnit, findExecutable, BASE_PATH, CARRIED_VARIABLES, STOP_TIMEOUT_MARGIN_SECONDS, type LocatedTools, type UnitPlanInput } from './unit-plan.js';
export { unitPath, systemctlArgs, SYSTEM_UNIT_DIR, type ServiceScope, type UnitDirs } from './unit-location.js';
export type { ServiceHost } from './host.js';
export { requireLinger } from './linger.js';
export { installService, type InstallOptions, type InstallResult } from './install.js';
export { uninstallService, type UninstallResult } from './uninstall.js';
export { readTasksInFlight, waitUntilIdle, isBusy, describeTasks, type TasksInFlight, type FetchLike, type WaitOptions } from './tasks-in-flight.js';
export { detectInstallMethod, type InstallMethod, type DetectOptions } from './install-method.js';
export { updateAirut, type UpdateOptions, type UpdateResult } from './self-update.js';
export { runProcess, type ProcessRunner, type ProcessOutcome } from '../process/index.js';
export { tarballUpdater, dashboardUrl } from './tarball-update.js';
