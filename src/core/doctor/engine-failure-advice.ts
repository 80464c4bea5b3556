import { ContainerRuntimeError, diagnoseEngineFailure } from '../../sandbox/index.js';
import { containersConfFix, explainProbeFailure } from './probe-diagnosis.js';

/** Where `airut check` would tell this user to save the fix. */
export interface EngineAdviceContext {
  /** The user's id: root podman ignores ~/.config/containers. */
  uid: number;
  /** Airut's configuration directory (from the XDG paths). */
  configDir: string;
}

/** `airut check`'s verdict on a failed run, when the failure is the engine's own. */
export interface EngineFailureAdvice {
  /** What is wrong with the host, in `check`'s words. */
  diagnosis: string;
  /** `check`'s fix: the containers.conf and where to save it. */
  fix: string;
}

/**
 * Gives a run that failed because the container engine cannot start any
 * container on this host (ulimits, cgroups, a missing OCI runtime) the same
 * diagnosis and fix that `airut check` prints for it, whichever step met it
 * (the proxy, the task, an image build step). Looks at the error, the engine
 * output it carries and its causes; undefined when nothing is recognised.
 */
export function engineFailureAdvice(error: unknown, context: EngineAdviceContext): EngineFailureAdvice | undefined {
  const causes = diagnoseEngineFailure(errorText(error));
  if (causes.length === 0) return undefined;
  return {
    diagnosis: `the container engine cannot start containers on this host: ${explainProbeFailure(causes)} (airut check reports the same)`,
    fix: containersConfFix({ rootless: context.uid !== 0, configDir: context.configDir }),
  };
}

/** The message and engine stderr of an error and its causes, a few levels deep. */
function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    parts.push(current.message);
    if (current instanceof ContainerRuntimeError) parts.push(current.stderr);
    current = current.cause;
  }
  return parts.join('\n');
}
