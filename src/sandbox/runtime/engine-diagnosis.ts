/**
 * Host problems that stop the container engine from starting any container,
 * recognised from what the engine printed. `airut check` probes for them; a
 * real run that meets one (the proxy, the task, a build step) must name the
 * same cause and fix, not blame Airut's own files.
 */
export type EngineFailureCause = 'crun-cgroups' | 'ulimits' | 'runtime-missing';

const SIGNATURES: Record<EngineFailureCause, (text: string) => boolean> = {
  // e.g. "crun: cgroups in hybrid mode not supported, drop all controllers from
  // cgroupv2", or crun's "creating cgroup directory `/sys/fs/cgroup/...`".
  'crun-cgroups': (text) => (/\bcrun\b/i.test(text) && /cgroup/i.test(text)) || /creating cgroup directory/i.test(text),
  // e.g. runc's "error setting rlimit type 7: operation not permitted".
  ulimits: (text) => /\b(set)?rlimits?\b|RLIMIT_[A-Z]+|ulimit/i.test(text),
  // e.g. 'default OCI runtime "crun" not found', "OCI runtime attempted to
  // invoke a command that was not found", "runc: executable file not found".
  'runtime-missing': (text) => /OCI runtime "?[\w-]+"? not found|OCI runtime attempted to invoke a command that was not found|\b(runc|crun)\b[^\n]*executable file not found/i.test(text),
};

const EXPLANATIONS: Record<EngineFailureCause, string> = {
  'crun-cgroups': 'crun cannot manage this host\'s cgroups (hybrid cgroup v1)',
  ulimits: 'the default ulimits cannot be set (no CAP_SYS_RESOURCE)',
  'runtime-missing': 'the configured OCI runtime is not installed',
};

/** The known causes found in an engine's error output (empty when none is recognised). */
export function diagnoseEngineFailure(text: string): EngineFailureCause[] {
  return (Object.keys(SIGNATURES) as EngineFailureCause[]).filter((cause) => SIGNATURES[cause](text));
}

/** One phrase per cause, joined, for an error message. */
export function explainEngineFailure(causes: readonly EngineFailureCause[]): string {
  return causes.map((cause) => EXPLANATIONS[cause]).join('; ');
}

/**
 * The containers.conf that makes podman start containers on hosts with hybrid
 * cgroup v1 (where crun refuses to run) and without CAP_SYS_RESOURCE (where the
 * default ulimits cannot be set): runc with the cgroupfs manager, and ulimits
 * below the usual hard limits. It also names netavark as the network backend:
 * podman otherwise picks CNI on a host whose storage already holds images, and
 * the network sandbox refuses CNI.
 */
export const FIXING_CONTAINERS_CONF = `[containers]
default_ulimits = [ "nofile=1024:1024", "nproc=1024:1024" ]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
[network]
network_backend = "netavark"`;

/**
 * The hint for an engine failure with known causes, where the caller does not
 * know where the user keeps configuration: the containers.conf to use, and
 * `airut check`, which prints where to save it for this user.
 */
export function engineFailureHint(causes: readonly EngineFailureCause[], command = 'podman'): string {
  return [
    `${command} cannot start containers on this host: ${explainEngineFailure(causes)}. Point CONTAINERS_CONF at a containers.conf with:`,
    ...FIXING_CONTAINERS_CONF.split('\n').map((line) => `  ${line}`),
    'It needs runc and netavark (apt-get install -y runc netavark aardvark-dns). airut check diagnoses the host and says where to save the file.',
  ].join('\n');
}
