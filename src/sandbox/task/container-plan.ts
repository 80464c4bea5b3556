import { isAbsolute } from 'node:path';
import { labelArgs, type ResourceOwner, type RuntimeKind } from '../runtime/index.js';
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
  /** The engine the argv is for. Default `podman`. */
  engine?: RuntimeKind;
}

/** A planned run: the engine argv and the environment the engine client needs. */
export interface ContainerRunPlan {
  argv: string[];
  /**
   * Container variables are passed as `-e NAME` and their values through the
   * engine client's environment, so values stay off the command line (except
   * for the few names the client itself reads, see CLIENT_VARIABLE).
   */
  env: Record<string, string>;
}

/**
 * Variables the engine client itself reads. Passing one of these through the
 * client's environment would reconfigure the client (a container PATH would
 * hide runc, a TMPDIR would move its state), so they go on the command line.
 */
const CLIENT_VARIABLE = /^(PATH|HOME|TMPDIR|USER|LOGNAME|SHELL|TZ|LANG|LANGUAGE|LC_\w+|XDG_\w+|LD_\w+|CONTAINERS?_\w+|PODMAN_\w+|DOCKER_\w+|BUILDAH_\w+|STORAGE_\w+|REGISTRY_\w+|NOTIFY_SOCKET|DBUS_\w+|(HTTPS?|FTP|NO|ALL)_PROXY|(https?|ftp|no|all)_proxy)$/;

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
  // podman copies the host's proxy variables into containers by default; the
  // sandbox decides the container's network, not the host's settings.
  if ((spec.engine ?? 'podman') === 'podman') argv.push('--http-proxy=false');
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(spec.env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new TaskError('TASK_ENV_INVALID', `container variable name ${JSON.stringify(name)} is invalid`, {
        hint: 'Variable names are letters, digits and "_", not starting with a digit.',
      });
    }
    if (CLIENT_VARIABLE.test(name)) {
      argv.push('-e', `${name}=${value}`);
    } else {
      argv.push('-e', name);
      env[name] = value;
    }
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
