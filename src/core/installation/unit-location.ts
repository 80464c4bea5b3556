import { join } from 'node:path';
import { UNIT_NAME } from './unit-text.js';

/** Which systemd instance manages the unit. */
export type ServiceScope = 'user' | 'system';

/** Where units of each scope live. */
export interface UnitDirs {
  /** The user's HOME: user units go to `~/.config/systemd/user`, where `airut check` looks too. */
  home: string;
  /** Directory of system units; default `/etc/systemd/system`. */
  systemDir?: string;
}

/** The default directory of system units. */
export const SYSTEM_UNIT_DIR = '/etc/systemd/system';

/** The unit file's path for `scope`. */
export function unitPath(scope: ServiceScope, dirs: UnitDirs): string {
  return scope === 'user'
    ? join(dirs.home, '.config', 'systemd', 'user', UNIT_NAME)
    : join(dirs.systemDir ?? SYSTEM_UNIT_DIR, UNIT_NAME);
}

/** The systemctl argv for `scope`: user units need `--user`. */
export function systemctlArgs(scope: ServiceScope, ...args: string[]): string[] {
  return scope === 'user' ? ['--user', ...args] : args;
}
