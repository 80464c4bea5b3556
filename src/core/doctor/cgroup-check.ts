import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { failed, passed, type CheckResult } from './report.js';
import { pathExists } from '../fs/exists.js';

/** The controllers behind `--memory`, `--cpus` and `--pids-limit`. */
const NEEDED = ['memory', 'cpu', 'pids'] as const;

const NAME = 'Resource limits';

/**
 * Whether per-task memory/cpu/pids limits can take effect, read from the cgroup
 * filesystem at `root` (normally /sys/fs/cgroup). Only a warning: tasks still
 * run without limits.
 *
 * cgroup v2: the controllers must be enabled where the engine creates cgroups
 * (the root for root, the user's systemd slice for rootless). cgroup v1
 * (including hybrid): the controllers must be mounted, and only root can use
 * them; rootless podman ignores limits there.
 */
export async function checkCgroups(options: { root: string; uid: number }): Promise<CheckResult> {
  const { root, uid } = options;
  const v2File = join(root, 'cgroup.controllers');
  if (await pathExists(v2File)) {
    const file = uid === 0 ? v2File : join(root, 'user.slice', `user-${uid}.slice`, `user@${uid}.service`, 'cgroup.controllers');
    let available: string[];
    try {
      available = (await readFile(file, 'utf8')).trim().split(/\s+/).filter(Boolean);
    } catch (error) {
      return failed(NAME, 'warning', `cgroup v2, but ${file} is unreadable (${(error as NodeJS.ErrnoException).code ?? 'error'}): limits may not apply`,
        'Run Airut under a systemd user session (loginctl enable-linger USER) so podman gets a delegated cgroup.');
    }
    const missing = NEEDED.filter((controller) => !available.includes(controller));
    if (missing.length > 0) {
      return failed(NAME, 'warning', `cgroup v2 without ${missing.join(', ')} (have: ${available.join(' ') || 'none'}): those limits would not apply`,
        'Delegate them: a drop-in /etc/systemd/system/user@.service.d/delegate.conf with "[Service] Delegate=cpu cpuset io memory pids", then systemctl daemon-reload.');
    }
    return passed(NAME, 'warning', `cgroup v2 with ${NEEDED.join(', ')}: memory, cpus and pids limits apply`);
  }
  const mounted = await Promise.all(NEEDED.map(async (controller) => ((await pathExists(join(root, controller))) ? controller : null)));
  const missing = NEEDED.filter((controller) => !mounted.includes(controller));
  const mode = (await pathExists(join(root, 'unified'))) ? 'cgroup v1 (hybrid)' : 'cgroup v1';
  if (mounted.every((controller) => controller === null)) {
    return failed(NAME, 'warning', `no cgroup controllers found under ${root}: limits would not apply`,
      'Mount the cgroup filesystem (cgroup v2 recommended: boot with systemd.unified_cgroup_hierarchy=1).');
  }
  if (missing.length > 0) {
    return failed(NAME, 'warning', `${mode} without ${missing.join(', ')} under ${root}: those limits would not apply`,
      'Mount the missing cgroup v1 controllers, or boot with cgroup v2 (systemd.unified_cgroup_hierarchy=1).');
  }
  if (uid !== 0) {
    return failed(NAME, 'warning', `${mode}: rootless podman ignores memory, cpus and pids limits`,
      'Boot with cgroup v2 (systemd.unified_cgroup_hierarchy=1), or run Airut as root.');
  }
  return passed(NAME, 'warning', `${mode} with ${NEEDED.join(', ')} mounted: limits apply when running as root with cgroup_manager "cgroupfs"`);
}

