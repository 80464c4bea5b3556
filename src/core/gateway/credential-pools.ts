import type { GithubAppCredential, MaskedSecret, SigningCredential } from '../../sandbox/index.js';
import type { RepoConfig } from '../config/index.js';

/** A repo's credentials as the task takes them, each environment name given to one pool. */
export interface CredentialPools {
  /** Plain `secrets`: real values in the container's environment. */
  readonly env: Record<string, string>;
  readonly maskedSecrets: MaskedSecret[];
  readonly githubApps: GithubAppCredential[];
  readonly signingCredentials: SigningCredential[];
}

/**
 * Sorts a repo's credential pools into what the task gets (MSK-08). When one
 * environment name is in several pools, the stronger protection wins:
 * signing credential > GitHub App > masked secret > plain secret. The others
 * are left out, so a plain copy of a name never lands next to its surrogate.
 * A signing credential sets up to three variables (by their `.name`
 * fields); one that would reuse a variable an earlier signing credential
 * took is left out as a whole, since half a key pair signs nothing.
 */
export function credentialPoolsOf(repo: RepoConfig): CredentialPools {
  const taken = new Set<string>();
  const signingCredentials: SigningCredential[] = [];
  for (const [name, signing] of Object.entries(repo.signing_credentials)) {
    const sessionToken = signing.session_token === undefined || signing.session_token.value === '' ? undefined : signing.session_token;
    const names = [signing.access_key_id.name, signing.secret_access_key.name, ...(sessionToken === undefined ? [] : [sessionToken.name])];
    if (names.some((n) => taken.has(n))) continue;
    for (const n of names) taken.add(n);
    signingCredentials.push({
      name,
      accessKeyId: signing.access_key_id,
      secretAccessKey: signing.secret_access_key,
      ...(sessionToken === undefined ? {} : { sessionToken }),
      scopes: signing.scopes,
    });
  }
  const githubApps: GithubAppCredential[] = Object.entries(repo.github_app_credentials).filter(([name]) => !taken.has(name)).map(([name, app]) => ({
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
  for (const app of githubApps) taken.add(app.name);
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
  return { env, maskedSecrets, githubApps, signingCredentials };
}
