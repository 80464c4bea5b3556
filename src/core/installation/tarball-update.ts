import type { Config } from '@oclif/core';

/**
 * Upgrades an oclif tarball install (or returns it to `version`) with
 * @oclif/plugin-update's own update command, which downloads, verifies and
 * switches the `current` link of the client directory. The plugin is used as a
 * library rather than registered, because its command id `update` is Airut's.
 * It is loaded only when an update runs: it brings an HTTP client, prompts and
 * a table renderer that no other command needs.
 */
export function tarballUpdater(config: Config): (version: string | undefined) => Promise<void> {
  return async (version) => {
    const { commands } = await import('@oclif/plugin-update');
    await commands.update.run(version === undefined ? [] : ['--version', version], config);
  };
}

/** Base URL to reach a dashboard bound to `host`: wildcard binds are asked on loopback. */
export function dashboardUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return reachable.includes(':') ? `http://[${reachable}]:${port}` : `http://${reachable}:${port}`;
}
