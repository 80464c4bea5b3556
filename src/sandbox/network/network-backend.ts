import type { ContainerRuntime } from '../runtime/index.js';
import { NetworkSandboxError } from './error.js';

/** The only podman network backend the network sandbox has been proven on (the escape suite runs on it). */
export const SUPPORTED_NETWORK_BACKEND = 'netavark';

/** The fix for any other backend: the packages, the containers.conf key and the reset the switch needs. */
export const NETWORK_BACKEND_FIX =
  'Install netavark and aardvark-dns (Debian: apt-get install -y netavark aardvark-dns) and set network_backend = "netavark" under [network] in containers.conf; the switch needs "podman system reset", which deletes all containers, images and networks.';

/**
 * Makes sure podman runs its networks with netavark, and fails closed otherwise.
 *
 * The sandbox's guarantees (an internal network without DNS whose only way
 * out is the proxy, no host address on the bridge) were established and are
 * tested on netavark only. Under CNI podman still creates the networks, so
 * without this check a task would run on an unproven topology in silence.
 * `airut check` reports the same error, so both name the same fix.
 * @returns the backend's name
 * @throws NetworkSandboxError `NETWORK_BACKEND_UNSUPPORTED` for any other backend, or when podman cannot tell
 */
export function assertNetworkBackend(runtime: ContainerRuntime): Promise<string> {
  // One question per engine object: a run asks before its image build (to fail at once) and its
  // network sandbox asks again at startup. Only a pass is kept, so a fixed host is seen on the next try.
  let answer = verified.get(runtime);
  if (answer === undefined) {
    answer = probeNetworkBackend(runtime);
    verified.set(runtime, answer);
    answer.catch(() => verified.delete(runtime));
  }
  return answer;
}

const verified = new WeakMap<ContainerRuntime, Promise<string>>();

async function probeNetworkBackend(runtime: ContainerRuntime): Promise<string> {
  const result = await runtime.call(['info', '--format', '{{.Host.NetworkBackend}}'], { timeoutMs: 30_000 });
  const backend = result.stdout.trim();
  if (result.exitCode !== 0) {
    const reason = (result.stderr.trim() || result.stdout.trim()).split('\n')[0] || `exit ${result.exitCode}`;
    throw new NetworkSandboxError('NETWORK_BACKEND_UNSUPPORTED', `"${runtime.command} info" failed, so the network backend is unknown: ${reason}`, {
      hint: `Run "${runtime.command} info" to see the full error.`,
    });
  }
  if (backend !== SUPPORTED_NETWORK_BACKEND) {
    throw new NetworkSandboxError('NETWORK_BACKEND_UNSUPPORTED', `podman's network backend is ${backend || 'unknown'}; Airut's sandbox networks need ${SUPPORTED_NETWORK_BACKEND}`, {
      hint: NETWORK_BACKEND_FIX,
    });
  }
  return backend;
}
