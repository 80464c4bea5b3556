import type { GithubAppCredential, MaskedSecret } from '../../sandbox/index.js';
import type { RepoConfig } from '../config/index.js';

/** A repo's credentials as the task takes them, each environment name given to one pool. */
export interface CredentialPools {
  /** Plain `secrets`: real values in the container's environment. */
  readonly env: Record<string, string>;
  readonly maskedSecrets: MaskedSecret[];
  readonly githubApps: GithubAppCredential[];
}

/**
 * Sorts a repo's credential pools into what the task gets (MSK-08). When one
 * environment name is in several pools, the stronger protection wins:
 * GitHub App > masked secret > plain secret. The others are left out, so a
 * plain copy of a name never lands next to its surrogate.
 * (`signing_credentials` are refused when the config loads.)
 */
export function credentialPoolsOf(repo: RepoConfig): CredentialPools {
  const githubApps: GithubAppCredential[] = Object.entries(repo.github_app_credentials).map(([name, app]) => ({
    name,
    appId: app.app_id,
    privateKey: app.private_key,
    installationId: app.installation_id,
    baseUrl: app.base_url,
    scopes: app.scopes,
    allowForeignCredentials: app.allow_foreign_credentials,
    ...(app.permissions === undefined ? {} : { permissions: app.permissions }),
    ...(app.repositories === undefined ? {} : { repositories: app.repositories }),
  }));
  const taken = new Set(githubApps.map((a) => a.name));
  const maskedSecrets: MaskedSecret[] = Object.entries(repo.masked_secrets)
    .filter(([name]) => !taken.has(name))
    .map(([name, secret]) => ({
      name,
      value: secret.value,
      scopes: secret.scopes,
      headers: secret.headers,
      allowForeignCredentials: secret.allow_foreign_credentials,
    }));
  for (const secret of maskedSecrets) taken.add(secret.name);
  const env = Object.fromEntries(Object.entries(repo.secrets).filter(([name]) => !taken.has(name)));
  return { env, maskedSecrets, githubApps };
}
