import { isAbsolute } from 'node:path';
import { labelArgs, type ResourceOwner } from '../runtime/index.js';
import { TaskError } from './error.js';
import type { Mount } from './mount.js';
import type { ResourceLimits } from './resource-limits.js';

/** Everything that decides one `podman run`. */
export interface ContainerRunSpec {
  image: string;
  /** The container command (arguments to the image's entrypoint). */
  command: readonly string[];
  /** Unique container name, so the container can be removed by name on timeout or stop. */
  name: string;
  /** Labels for orphan cleanup. */
  owner: ResourceOwner;
  mounts: readonly Mount[];
  env: Readonly<Record<string, string>>;
  limits: ResourceLimits;
  /** Network arguments (`--network none`, or a network sandbox's). */
  networkArgs: readonly string[];
  /** Keep stdin open for input (the prompt). */
  stdin: boolean;
}

/** A planned run: the engine argv and the environment the engine client needs. */
export interface ContainerRunPlan {
  argv: string[];
  /**
   * Container variables are passed as `-e NAME` and their values through the
   * engine client's environment, so no value ever appears on a command line.
   */
  env: Record<string, string>;
}

/** Capabilities a task keeps; everything else is dropped. */
export const TASK_CAPABILITIES = ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'SETGID', 'SETUID'] as const;

/**
 * Plans the `podman run` of a task. Pure: no I/O. Invalid mounts or variable
 * names throw {@link TaskError}.
 */
export function planContainerRun(spec: ContainerRunSpec): ContainerRunPlan {
  const argv = ['run', '--rm', '--init'];
  if (spec.stdin) argv.push('-i');
  argv.push(
    '--name', spec.name,
    ...labelArgs(spec.owner),
    // Output is streamed to the client; a log file would only duplicate it on disk.
    '--log-driver=none',
    '--cap-drop=ALL',
    ...TASK_CAPABILITIES.map((cap) => `--cap-add=${cap}`),
    '--security-opt=no-new-privileges',
    // Claude Code keeps a socket under /tmp; keep it off the image's layer.
    '--tmpfs', '/tmp:rw,mode=1777',
  );
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(spec.env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new TaskError('TASK_ENV_INVALID', `container variable name ${JSON.stringify(name)} is invalid`, {
        hint: 'Variable names are letters, digits and "_", not starting with a digit.',
      });
    }
    argv.push('-e', name);
    env[name] = value;
  }
  for (const mount of spec.mounts) argv.push('-v', volumeArg(mount));
  const { memory, cpus, pidsLimit } = spec.limits;
  if (memory !== undefined) argv.push('--memory', memory, '--memory-swap', memory);
  if (cpus !== undefined) argv.push('--cpus', String(cpus));
  if (pidsLimit !== undefined) argv.push('--pids-limit', String(pidsLimit));
  argv.push(...spec.networkArgs, spec.image, ...spec.command);
  return { argv, env };
}

function volumeArg(mount: Mount): string {
  for (const [what, path] of [['host path', mount.hostPath], ['container path', mount.containerPath]] as const) {
    if (!isAbsolute(path) || /[:,\0]/.test(path)) {
      throw new TaskError('TASK_MOUNT_INVALID', `mount ${what} ${JSON.stringify(path)} is invalid`, {
        hint: 'Mount paths must be absolute and contain no ":" or "," (the engine\'s -v syntax cannot express them).',
      });
    }
  }
  return `${mount.hostPath}:${mount.containerPath}:${mount.readOnly ? 'ro' : 'rw'}`;
}
