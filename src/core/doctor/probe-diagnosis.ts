/** Container start failures this check knows how to fix. */
export type KnownProbeFailure = 'crun-cgroups' | 'ulimits';

/**
 * The containers.conf that makes podman start containers on hosts with hybrid
 * cgroup v1 (where crun refuses to run) and without CAP_SYS_RESOURCE (where the
 * default ulimits cannot be set): runc with the cgroupfs manager, and ulimits
 * below the usual hard limits.
 */
export const FIXING_CONTAINERS_CONF = `[containers]
default_ulimits = [ "nofile=1024:1024", "nproc=1024:1024" ]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"`;

const SIGNATURES: Record<KnownProbeFailure, (stderr: string) => boolean> = {
  // e.g. "crun: cgroups in hybrid mode not supported, drop all controllers from
  // cgroupv2", or crun's "creating cgroup directory `/sys/fs/cgroup/...`".
  'crun-cgroups': (stderr) => (/crun/i.test(stderr) && /cgroup/i.test(stderr)) || /creating cgroup directory/i.test(stderr),
  ulimits: (stderr) => /\b(set)?rlimit|RLIMIT_[A-Z]+|ulimit/i.test(stderr),
};

const EXPLANATIONS: Record<KnownProbeFailure, string> = {
  'crun-cgroups': 'crun cannot manage this host\'s cgroups (hybrid cgroup v1)',
  ulimits: 'the default ulimits cannot be set (no CAP_SYS_RESOURCE)',
};

/** Recognises the known causes in the engine's stderr of a failed container start. */
export function diagnoseProbeFailure(stderr: string): KnownProbeFailure[] {
  return (Object.keys(SIGNATURES) as KnownProbeFailure[]).filter((cause) => SIGNATURES[cause](stderr));
}

/** One phrase per cause, for the check's detail line. */
export function explainProbeFailure(causes: readonly KnownProbeFailure[]): string {
  return causes.map((cause) => EXPLANATIONS[cause]).join('; ');
}

/**
 * The fix to print: the containers.conf and where podman will read it. Root
 * podman ignores ~/.config/containers, so root gets the system file or
 * CONTAINERS_CONF (which Airut can set itself through execution.container_env).
 */
export function containersConfFix(options: { rootless: boolean; configDir: string }): string {
  const place = options.rootless
    ? 'Save this as ~/.config/containers/containers.conf (or anywhere, and point CONTAINERS_CONF at it):'
    : `Save this as ${options.configDir}/containers.conf and set CONTAINERS_CONF to that path (in the environment or in airut.yaml under execution.container_env), or merge it into /etc/containers/containers.conf:`;
  const runc = 'It needs runc (apt-get install -y runc).';
  return [place, ...FIXING_CONTAINERS_CONF.split('\n').map((line) => `  ${line}`), runc].join('\n');
}
