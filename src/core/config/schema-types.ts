/**
 * Generated from airut.schema.json by scripts/generate-config-types.ts.
 * Do not edit: change the schema and run `npm run generate:types`.
 *
 * These are the types of a loaded config, after defaults were applied: a key
 * with a default in the schema is always present here.
 */

/**
 * Claude model name or alias passed to Claude Code, e.g. `opus`, `sonnet` or a full model id.
 */
export type Model = string;
/**
 * Reasoning effort passed to Claude Code. Without it, Claude Code's own default applies.
 */
export type Effort = 'low' | 'medium' | 'high' | 'max';
/**
 * Host name patterns; `*` matches any characters, e.g. `api.github.com` or `*.amazonaws.com`.
 *
 * @minItems 1
 */
export type HostPatterns = string[];
/**
 * An environment variable name.
 */
export type EnvName = string;

/**
 * The Airut server configuration, airut.yaml. Every scalar may be written as `!env NAME` (the value of environment variable NAME; an error when it is unset), `!env NAME?` (the same, but an unset variable leaves the key out so its default applies, or drops the list item) or `!var NAME` (the value of NAME from the top-level `vars:` mapping). A `.env` file beside airut.yaml is read first; variables already set in the environment win over it.
 */
export interface ServerConfig {
  /**
   * Version of this file's layout. Only 1 exists today; later layouts will be migrated automatically.
   */
  config_version: 1;
  execution: ExecutionConfig;
  dashboard: DashboardConfig;
  network: ServerNetworkConfig;
  /**
   * Shared values that any scalar in this file can use with `!var NAME`. Values are scalars or `!env` references; a `!var` inside `vars:` is not allowed.
   */
  vars: {
    /**
     * A shared value.
     */
    [k: string]: string | number | boolean;
  };
  /**
   * Prices of Messages API usage the proxy counts (USAGE lines, cost budgets), by model id prefix (the longest matching prefix wins), laid over the shipped table (claude-opus-4, claude-sonnet-4, claude-haiku-4). A usage line of a model without a price says its cost is unknown; cost budgets then count it at the dearest price in the table.
   */
  prices: {
    [k: string]: ModelPrice;
  };
  /**
   * The repositories this server works on, keyed by repo id. The id names the repo's state directory and appears in the dashboard.
   */
  repos: {
    [k: string]: RepoConfig;
  };
}
/**
 * How tasks run on this host.
 */
export interface ExecutionConfig {
  /**
   * Most tasks (containers) running at once across all repos; further tasks wait in a queue.
   */
  max_concurrent: number;
  /**
   * Seconds `airut serve` waits for running tasks to finish when asked to stop, before stopping them.
   */
  shutdown_timeout: number;
  /**
   * Conversations (workspace, logs, Claude state) untouched for this many days are deleted.
   */
  conversation_max_age_days: number;
  /**
   * Remove dangling container images during the periodic clean-up.
   */
  image_prune: boolean;
  /**
   * Container runtime: `podman`, `docker`, or a path to either.
   */
  container_command: string;
  /**
   * Extra environment for every container runtime call, e.g. `CONTAINERS_CONF: /etc/airut/containers.conf`.
   */
  container_env: {
    /**
     * Value of the variable.
     */
    [k: string]: string;
  };
  /**
   * Rebuild a task image when it is older than this many hours (0 rebuilds every time).
   */
  max_image_age_hours: number;
  /**
   * Path on the host of a Claude Code binary to use instead of downloading the version each repo asks for.
   */
  claude_binary?: string;
}
/**
 * The web dashboard served by `airut serve`.
 */
export interface DashboardConfig {
  /**
   * Serve the dashboard.
   */
  enabled: boolean;
  /**
   * Address the dashboard binds to. Anything other than loopback exposes it to the network (a warning is logged).
   */
  host: string;
  /**
   * TCP port of the dashboard.
   */
  port: number;
  /**
   * Public URL of the dashboard, used for links in acknowledgements and reply footers, e.g. `https://airut.example.com`. Without it, replies carry no links.
   */
  base_url?: string;
}
/**
 * Operator settings of the network sandbox (never read from a repository).
 */
export interface ServerNetworkConfig {
  /**
   * Existing container network the proxy uses to reach the outside. Without it, Airut creates and uses its own `airut-egress` network.
   */
  egress_network?: string;
  /**
   * DNS server (IP address) the proxy resolves allowed hosts with. Default: the first nameserver of the host's /etc/resolv.conf.
   */
  upstream_dns?: string;
  /**
   * Static host name to IP address map the proxy uses instead of DNS when connecting upstream.
   */
  upstream_hosts: {
    /**
     * IP address of the host.
     */
    [k: string]: string;
  };
  /**
   * PEM file of extra certificate authorities the proxy trusts for upstream TLS, besides the system roots.
   */
  upstream_ca_file?: string;
  /**
   * IPv4 range the per-task internal networks' subnets are taken from.
   */
  subnet_pool: string;
  /**
   * Local container image with Node.js to build the proxy image from. Without it, the proxy image is assembled from the host's own Node.js runtime (no registry is contacted).
   */
  proxy_base_image?: string;
}
/**
 * USD per million tokens of each kind.
 */
export interface ModelPrice {
  /**
   * Input tokens.
   */
  input: number;
  /**
   * Output tokens.
   */
  output: number;
  /**
   * Cache writes (`cache_creation_input_tokens`).
   */
  cache_write: number;
  /**
   * Cache reads (`cache_read_input_tokens`).
   */
  cache_read: number;
}
/**
 * One repository served by Airut and the channels its users reach it through.
 */
export interface RepoConfig {
  /**
   * Git URL Airut clones and mirrors, e.g. `https://github.com/org/repo.git` or a local path.
   */
  repo_url: string;
  /**
   * Branch new conversations start from. Default: the remote's default branch.
   */
  branch?: string;
  email?: EmailChannelConfig;
  slack?: SlackChannelConfig;
  model: Model;
  effort?: Effort;
  /**
   * Claude Code version for this repo's tasks: `latest`, `stable`, or an exact version like `2.1.332`.
   */
  claude_version: string;
  /**
   * Directory in the repository holding the Dockerfile (and its flat context files) of the task image.
   */
  container_path: string;
  network: RepoNetworkConfig;
  resource_limits: ResourceLimits;
  budgets: Budgets;
  /**
   * Plain environment variables given to task containers, keyed by variable name. An unset `!env NAME?` leaves the variable out.
   */
  secrets: {
    /**
     * Value of the variable.
     */
    [k: string]: string;
  };
  /**
   * Credentials the container only sees as same-shaped surrogates; the proxy puts the real value into request headers sent to the scoped hosts. Keyed by the container's environment variable name.
   */
  masked_secrets: {
    [k: string]: MaskedSecret;
  };
  /**
   * Request-signing credentials (AWS SigV4), keyed by a name of your choice. The container gets look-alike keys in the variables the `.name` fields give; requests it signs with them towards the scoped hosts are re-signed by the proxy with the real keys. A credential whose access-key variable is also used by another pool wins over it (signing > GitHub App > masked > plain secrets).
   */
  signing_credentials: {
    [k: string]: SigningCredential;
  };
  /**
   * GitHub App credentials: the proxy mints installation tokens and injects them for the scoped hosts; the container sees a surrogate token. Keyed by the container's environment variable name.
   */
  github_app_credentials: {
    [k: string]: GithubAppCredential;
  };
  /**
   * Tasks started on a timer, keyed by schedule name.
   */
  schedules: {
    [k: string]: ScheduleConfig;
  };
}
/**
 * The repo's email channel: a dedicated mailbox polled over IMAP, replies over SMTP.
 */
export interface EmailChannelConfig {
  /**
   * IMAP server host name.
   */
  imap_server: string;
  /**
   * IMAP server port.
   */
  imap_port: number;
  /**
   * IMAP transport security: `tls` (implicit TLS), `starttls`, `none` (loopback testing only), or `auto` (tls on port 993, starttls otherwise).
   */
  imap_security: 'auto' | 'tls' | 'starttls' | 'none';
  /**
   * Attempts to connect to the IMAP server when the repo starts, before the repo is reported as failed.
   */
  imap_connect_retries: number;
  /**
   * Wait for new mail with IMAP IDLE when the server supports it; otherwise poll every `poll_interval` seconds.
   */
  use_imap_idle: boolean;
  /**
   * Seconds between inbox checks when polling. With IDLE the inbox is also checked after this long without news, in case a push from the server was lost.
   */
  poll_interval: number;
  /**
   * Seconds after which an IDLE connection is re-established (servers drop idle connections after about 30 minutes).
   */
  idle_reconnect_interval: number;
  /**
   * SMTP server host name for replies.
   */
  smtp_server: string;
  /**
   * SMTP server port.
   */
  smtp_port: number;
  /**
   * SMTP transport security: `tls` (implicit TLS), `starttls`, `none` (loopback testing only), or `auto` (tls on port 465, starttls otherwise).
   */
  smtp_security: 'auto' | 'tls' | 'starttls' | 'none';
  /**
   * Log in to the SMTP server before sending.
   */
  smtp_require_auth: boolean;
  /**
   * Login name of the mailbox (IMAP and SMTP).
   */
  username: string;
  /**
   * Password of the mailbox. Required unless `microsoft_oauth2` is set. Use `!env NAME` rather than writing it here.
   */
  password?: string;
  /**
   * From header of replies, e.g. `Airut <airut@example.com>`.
   */
  from: string;
  /**
   * Who may send tasks: exact addresses (`alice@example.com`) or whole domains (`*@example.com`). Checked after the sender is authenticated.
   *
   * @minItems 1
   */
  authorized_senders: string[];
  /**
   * How senders are authenticated: `provider` trusts the `Authentication-Results` header added by your mail provider (its authserv-id must equal `trusted_authserv_id`) and requires dmarc=pass; `local` verifies DKIM and DMARC alignment itself.
   */
  verify: 'provider' | 'local';
  /**
   * The authserv-id of your provider's `Authentication-Results` header, e.g. `mx.google.com`. Required when `verify` is `provider`; may be empty for Microsoft 365.
   */
  trusted_authserv_id?: string;
  /**
   * Microsoft 365 only: accept mail from inside the tenant that carries no `Authentication-Results` header at all. The sender allowlist still applies.
   */
  microsoft_internal_fallback: boolean;
  microsoft_oauth2?: MicrosoftOAuth2Config;
  /**
   * Send a short acknowledgement when a task starts.
   */
  acknowledge: boolean;
  /**
   * End replies with a footer holding the cost and, with `dashboard.base_url`, a link to the conversation.
   */
  footer: boolean;
  /**
   * Largest incoming attachment saved for the agent, in bytes; larger ones are skipped with a note in the prompt.
   */
  max_attachment_bytes: number;
}
/**
 * Microsoft 365 client-credentials login (XOAUTH2) for IMAP and SMTP instead of a password.
 */
export interface MicrosoftOAuth2Config {
  /**
   * Azure AD tenant id.
   */
  tenant_id: string;
  /**
   * Application (client) id.
   */
  client_id: string;
  /**
   * Client secret of the application.
   */
  client_secret: string;
  /**
   * OAuth2 token endpoint the client-credentials grant is sent to. Default: `https://login.microsoftonline.com/<tenant_id>/oauth2/v2.0/token`.
   */
  token_url?: string;
  /**
   * Scope requested with the token; Exchange Online grants IMAP and SMTP access under its `.default` scope.
   */
  scope: string;
}
/**
 * The repo's Slack channel: a Slack app in Socket Mode (direct messages and @-mentions).
 */
export interface SlackChannelConfig {
  /**
   * Bot user OAuth token (`xoxb-...`).
   */
  bot_token: string;
  /**
   * App-level token with the connections:write scope (`xapp-...`).
   */
  app_token: string;
  /**
   * Who may send tasks, as a list of rules; the first rule that matches grants access. Bots, deactivated users and users of other workspaces are always refused.
   *
   * @minItems 1
   */
  authorized: SlackAuthorizationRule[];
  /**
   * Channel ids (`C...`) where mentions are answered. Empty: every channel the app is invited to. Direct messages are always allowed.
   */
  allowed_channels: string[];
  /**
   * Base URL of Slack's Web API; Socket Mode connections and file downloads use the same host. GovSlack: `https://slack-gov.com/api/`. Plain http:// is accepted only for a local test server (127.0.0.1, localhost, [::1]).
   */
  api_url: string;
  /**
   * Largest file attached in Slack that is downloaded for the agent, in bytes; larger ones are skipped with a note in the prompt.
   */
  max_attachment_bytes: number;
}
/**
 * One authorization rule: a mapping with exactly one of `workspace_members`, `user_id`, `user_group`.
 */
export interface SlackAuthorizationRule {
  /**
   * `true`: every full member of the workspace (not guests).
   */
  workspace_members?: boolean;
  /**
   * One user, by Slack user id (`U...`).
   */
  user_id?: string;
  /**
   * Members of a user group, by its handle (without `@`).
   */
  user_group?: string;
}
/**
 * The repo's network sandbox.
 */
export interface RepoNetworkConfig {
  /**
   * Send all container traffic through the allowlist proxy (`.airut/network-allowlist.yaml`). Masked secrets, signing and GitHub App credentials need it.
   */
  sandbox_enabled: boolean;
  /**
   * `exact` (default): a reply to a run that was blocked may say `allow N` (on a line of its own, in the new text of an authorised sender's message) to let the conversation's later runs reach exactly the N-th blocked request's method, host and path, until `approval_ttl` or the conversation ends; in Slack the reply's `Allow N` buttons do the same for the request each one shows. The repository's allowlist is never changed. `off`: `allow N` is not read and replies offer neither it nor buttons.
   */
  approvals: 'off' | 'exact';
  /**
   * How long an `allow N` approval lasts: a whole number and a unit (s, m, h, d), e.g. `24h` or `7d`. A run gets the approvals in effect when it starts and keeps them until it ends, even one that expires meanwhile.
   */
  approval_ttl: string;
  /**
   * Seconds a request the allowlist blocks waits at the proxy while the task's Slack thread asks with Allow and Deny buttons and, while the dashboard is on, the task's dashboard page does too (the first answer counts); Allow lets it and the same method, host and path through for the rest of the run, Deny or no answer in time gives the usual 403. Requests to other hosts are not delayed. With the dashboard off, a task no one can be asked about (an email task or a scheduled run) gets its 403 at once; a hold in a repo without `slack:` while the dashboard is off is refused at load, as is any hold, `approvals: exact` or `approval_ttl` with the network sandbox off. 0 (default): no holds.
   */
  approval_hold_seconds: number;
}
/**
 * Limits of each task container. Absent limits are not applied.
 */
export interface ResourceLimits {
  /**
   * Seconds a task may run before it is stopped.
   */
  timeout?: number;
  /**
   * Memory limit (swap limited to the same), e.g. `512m` or `4g`.
   */
  memory?: string;
  /**
   * CPUs the container may use, e.g. `2` or `0.5`.
   */
  cpus?: number;
  /**
   * Most processes in the container.
   */
  pids_limit?: number;
}
/**
 * Spending caps the network sandbox's proxy enforces (it needs `network.sandbox_enabled`). Past a cost cap the proxy refuses further Messages API calls with a 403 that Claude Code shows; past the egress cap it refuses every request. The run then ends with outcome `budget_exceeded` and the reply names the budget.
 */
export interface Budgets {
  /**
   * USD caps, counted from the usage of the Messages API responses the proxy saw (see `prices`).
   */
  cost_usd?: {
    /**
     * USD one run may spend.
     */
    run?: number;
    /**
     * USD all runs of one conversation may spend together.
     */
    conversation?: number;
    /**
     * USD all runs of this repo may spend in one UTC day.
     */
    day?: number;
  };
  /**
   * Body bytes one run may move through the proxy, up and down together: a number of bytes or a size like `500m` (k, m, g are 1024-based).
   */
  egress_bytes?: number | string;
}
/**
 * A credential swapped in by the proxy.
 */
export interface MaskedSecret {
  /**
   * The real credential. An unset `!env NAME?` leaves the whole entry out.
   */
  value: string;
  scopes: HostPatterns;
  /**
   * Request headers in which the surrogate is replaced, e.g. `Authorization`; `*` means every header.
   *
   * @minItems 1
   */
  headers: string[];
  /**
   * Let through credential headers to scoped hosts that do not carry the surrogate (by default they are stripped).
   */
  allow_foreign_credentials: boolean;
}
/**
 * AWS SigV4 credentials; the proxy re-signs requests to the scoped hosts with the real keys.
 */
export interface SigningCredential {
  /**
   * Signing scheme. Only `aws-sigv4` exists.
   */
  type: 'aws-sigv4';
  access_key_id: NamedCredentialValue;
  secret_access_key: NamedCredentialValue;
  session_token?: NamedCredentialValue;
  scopes: HostPatterns;
}
/**
 * A credential part: the container environment variable that holds its surrogate, and the real value.
 */
export interface NamedCredentialValue {
  name: EnvName;
  /**
   * The real value.
   */
  value: string;
}
/**
 * A GitHub App installation; the proxy mints short-lived installation tokens for the scoped hosts.
 */
export interface GithubAppCredential {
  /**
   * The App's id (or client id).
   */
  app_id: string;
  /**
   * The App's private key, PEM.
   */
  private_key: string;
  /**
   * Id of the App's installation on the organisation or account.
   */
  installation_id: number;
  scopes: HostPatterns;
  /**
   * Let through credential headers to scoped hosts that do not carry the surrogate (by default they are stripped).
   */
  allow_foreign_credentials: boolean;
  /**
   * GitHub API base URL (GitHub Enterprise Server: `https://HOST/api/v3`).
   */
  base_url: string;
  /**
   * Narrow the installation token to these permissions, e.g. `contents: write`.
   */
  permissions?: {
    /**
     * Access level.
     */
    [k: string]: 'read' | 'write' | 'admin';
  };
  /**
   * Narrow the installation token to these repository names. GraphQL requests with the token may then name only these repositories; the proxy refuses others with 403 graphql_repo_scope_blocked.
   */
  repositories?: string[];
}
/**
 * A task started on a timer: either a fixed prompt, or a command whose output (when any) becomes the prompt.
 */
export interface ScheduleConfig {
  /**
   * Five-field cron expression (minute hour day-of-month month day-of-week), numbers only, e.g. `0 9 * * 1-5`. Each field is a comma list of `*`, `N`, `N-M`, `* /S`, `N-M/S` or `N/S`. Day of week is 0-6 with Sunday 0; `7` also means Sunday, but a range cannot end at 7 (write `5-6,0`, not `5-7`). When both day fields are other than `*`, a day matches if either does. A local time skipped by a daylight-saving change does not fire that day; a local time that happens twice fires once, the first time.
   */
  cron: string;
  /**
   * Run this schedule.
   */
  enable: boolean;
  /**
   * IANA time zone the cron expression is read in, e.g. `Europe/Helsinki`. Default: the server's zone.
   */
  timezone?: string;
  /**
   * The prompt of the task. Exactly one of `prompt` and `trigger_command` is required.
   */
  prompt?: string;
  /**
   * Command run in the sandbox first (split like a shell would, but no shell). No output: nothing happens; output: it becomes the prompt; failure: the failure is investigated.
   */
  trigger_command?: string;
  /**
   * Seconds the trigger command may run. Default: the repo's `resource_limits.timeout`.
   */
  trigger_timeout?: number;
  /**
   * Subject of the delivered message. Default: the schedule name.
   */
  subject?: string;
  deliver: ScheduleDelivery;
  model?: Model;
  effort?: Effort;
  /**
   * Most bytes of trigger command output used in the prompt.
   */
  output_limit: number;
  /**
   * Fires missed while the service was down: `skip` them, or `run_once` at start (once, however many were missed).
   */
  missed: 'skip' | 'run_once';
}
/**
 * Where a scheduled task's result goes.
 */
export interface ScheduleDelivery {
  /**
   * Recipient: an email address, or a Slack channel or user id.
   */
  to: string;
  /**
   * Channel of the repo that delivers the result; it must be configured on the repo.
   */
  channel: 'email' | 'slack';
}
