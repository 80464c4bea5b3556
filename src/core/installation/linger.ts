import { ServiceError } from './error.js';
import type { ServiceHost } from './host.js';

/**
 * Requires lingering for `user`: without it, systemd stops the user's units
 * (the service included) at logout and does not start them at boot.
 */
export async function requireLinger(host: ServiceHost, user: string): Promise<void> {
  const outcome = await host.runner('loginctl', ['show-user', user, '--property=Linger', '--value'], { env: host.env, timeoutMs: 10_000 });
  // loginctl fails for a user with neither a session nor lingering: also "not enabled".
  if (outcome.exitCode === 0 && outcome.stdout.trim() === 'yes') return;
  const seen = outcome.notFound ? 'loginctl was not found on PATH' : outcome.exitCode === 0 ? `Linger=${outcome.stdout.trim()}` : outcome.stderr || `exit code ${String(outcome.exitCode)}`;
  throw new ServiceError('SERVICE_LINGER_DISABLED', `lingering is not enabled for user '${user}' (${seen}), so the user service would stop at logout and not start at boot`, {
    hint: `Enable it with: loginctl enable-linger ${user}  (as root: sudo loginctl enable-linger ${user}), then run airut install-service again. Or, as root, install a system unit with --system.`,
  });
}
