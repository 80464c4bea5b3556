import { access, constants } from 'node:fs/promises';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import type { ServiceScope } from './unit-location.js';
import type { UnitSpec } from './unit-text.js';

/** Seconds added to `execution.shutdown_timeout` so systemd never kills a shutdown that is on time. */
export const STOP_TIMEOUT_MARGIN_SECONDS = 30;

/** Directories always on the unit's PATH, after the ones found for node, podman and git. */
export const BASE_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/**
 * Variables copied from the installing shell into the unit when set there, so
 * the service finds the same config, state and podman settings the operator
 * just checked with `airut check`.
 */
export const CARRIED_VARIABLES = ['AIRUT_CONFIG', 'CONTAINERS_CONF', 'XDG_CONFIG_HOME', 'XDG_STATE_HOME', 'XDG_CACHE_HOME', 'XDG_DATA_HOME'];

/** Where the tools the service needs were found; `undefined` when not on PATH. */
export interface LocatedTools {
  containerRuntime: string | undefined;
  git: string | undefined;
}

/** Inputs of {@link planUnit}. */
export interface UnitPlanInput {
  scope: ServiceScope;
  nodePath: string;
  entryPoint: string;
  /** `--config` given to install-service, made absolute; the service then uses it. */
  configFile: string | undefined;
  shutdownTimeoutSeconds: number;
  tools: LocatedTools;
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * Turns resolved facts into the unit spec: PATH with the directories of node,
 * the container runtime and git first, a stop timeout beyond the service's own
 * shutdown wait, and the carried variables.
 */
export function planUnit(input: UnitPlanInput): UnitSpec {
  const found = [input.nodePath, input.tools.containerRuntime, input.tools.git]
    .filter((file): file is string => file !== undefined)
    .map((file) => dirname(file));
  const path = [...new Set([...found, ...BASE_PATH])].join(':');
  const environment: Record<string, string> = { PATH: path };
  for (const name of CARRIED_VARIABLES) {
    const value = input.env[name];
    if (value !== undefined && value !== '') environment[name] = value;
  }
  const args = input.configFile === undefined ? ['serve'] : ['serve', '--config', input.configFile];
  if (input.configFile !== undefined) delete environment.AIRUT_CONFIG;
  return {
    scope: input.scope,
    nodePath: input.nodePath,
    entryPoint: input.entryPoint,
    args,
    stopTimeoutSeconds: input.shutdownTimeoutSeconds + STOP_TIMEOUT_MARGIN_SECONDS,
    environment,
  };
}

/** The first executable called `name` on `pathValue`, or `name` itself when it is a path. */
export async function findExecutable(name: string, pathValue: string | undefined): Promise<string | undefined> {
  const candidates = isAbsolute(name) ? [name] : (pathValue ?? '').split(delimiter).filter((dir) => dir !== '').map((dir) => join(dir, name));
  for (const file of candidates) {
    try {
      await access(file, constants.X_OK);
      return file;
    } catch {
      // Not here (or not executable): try the next PATH entry.
    }
  }
  return undefined;
}
