import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream/fake-upstream.js';
import { pkgsCertificates } from './pkgs-certs.js';
import { testRuntime } from './podman.js';

/** A fake `pkgs.test` for a test world's egress network (see {@link pkgsUpstream}). */
export interface PkgsUpstream {
  /** For a world's `egress` option: starts the upstream on the network and returns the config's `network:` keys for it. */
  egress: (network: string) => Promise<Record<string, unknown>>;
  /** What reached it so far, as `METHOD /path?query`, in order (none before the world started it). */
  reached: () => string[];
}

/**
 * A fake HTTPS upstream named `pkgs.test` (not on any test allowlist), with
 * a CA and certificate made for this test; removed at teardown.
 */
export async function pkgsUpstream(t: Test): Promise<PkgsUpstream> {
  const certDir = await mkdtemp(join(tmpdir(), 'airut-pkgs-certs-'));
  t.teardown(() => rm(certDir, { recursive: true, force: true }));
  const { certs, ca } = await pkgsCertificates(certDir);
  let upstream: FakeUpstream | undefined;
  return {
    egress: async (network) => {
      upstream = await startFakeUpstream(t, testRuntime(), network, `${network}-pkgs`, certs);
      return { upstream_hosts: { 'pkgs.test': upstream.ip }, upstream_ca_file: ca };
    },
    reached: () => (upstream?.requests ?? []).map((r) => `${r.method} ${r.url}`),
  };
}
