import { diagnoseEngineFailure, explainEngineFailure, FIXING_CONTAINERS_CONF, type EngineFailureCause } from '../../sandbox/index.js';

/** Container start failures this check knows how to fix: the sandbox's own diagnosis, so a run and the check agree. */
export type KnownProbeFailure = EngineFailureCause;

export { FIXING_CONTAINERS_CONF };

/** Recognises the known causes in the engine's stderr of a failed container start. */
export function diagnoseProbeFailure(stderr: string): KnownProbeFailure[] {
  return diagnoseEngineFailure(stderr);
}

/** One phrase per cause, for the check's detail line. */
export function explainProbeFailure(causes: readonly KnownProbeFailure[]): string {
  return explainEngineFailure(causes);
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
  const runc = 'It needs runc and netavark (apt-get install -y runc netavark aardvark-dns).';
  return [place, ...FIXING_CONTAINERS_CONF.split('\n').map((line) => `  ${line}`), runc].join('\n');
}
