import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Ends the RUN steps of one `podman build` at once.
 *
 * Killing `podman build` itself leaves its RUN step running (the OCI runtime
 * detached it) and its working container in storage: podman only cleans up
 * after a step that failed. So an abort kills the step instead and lets
 * podman fail the build its normal way. The build runs with its own TMPDIR,
 * where buildah creates one bundle directory `buildahNNN` per RUN step; the
 * step's processes sit in the cgroup `buildah-buildahNNN` (`.scope` with the
 * systemd cgroup manager). Killing them all ends the step's pid namespace.
 *
 * Returns how many processes were sent SIGKILL. Linux only (reads /proc);
 * elsewhere, and with engines that do not use such bundles (docker), nothing
 * is found and the caller falls back to signalling the build process.
 */
export async function killBuildSteps(buildTmpDir: string, procDir = '/proc'): Promise<number> {
  const bundles = (await readdir(buildTmpDir).catch(() => [] as string[])).filter((name) => /^buildah\d+$/.test(name));
  if (bundles.length === 0) return 0;
  const cgroupNames = new Set(bundles.flatMap((name) => [`buildah-${name}`, `buildah-${name}.scope`]));
  let killed = 0;
  for (const entry of await readdir(procDir).catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    // A process may end between the listing and the read: not an error.
    const cgroups = await readFile(join(procDir, entry, 'cgroup'), 'utf8').catch(() => '');
    const inStep = cgroups.split('\n').some((line) => cgroupNames.has(line.slice(line.lastIndexOf('/') + 1)));
    if (!inStep) continue;
    try {
      process.kill(Number(entry), 'SIGKILL');
      killed += 1;
    } catch {
      // Already gone.
    }
  }
  return killed;
}
