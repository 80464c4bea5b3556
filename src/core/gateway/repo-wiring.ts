import { join } from 'node:path';
import { parseApprovalTtl } from '../approvals/index.js';
import type { ChannelAdapter, ChannelKind } from '../channels/index.js';
import type { RejectedMail } from '../channels/email/index.js';
import { ConversationStore, GitMirror } from '../conversation/index.js';
import type { RepoConfig, ServerConfig } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { RepoSettings } from './repo-handler.js';

/** What a channel factory gets besides the repo's config. */
export interface ChannelContext {
  /** `$XDG_STATE_HOME/airut/<repo_id>`. */
  repoStateDir: string;
  logger: Logger;
  /** Tell the gateway about a message refused before any task (for the repo page and logs). */
  onRejected: (rejected: RejectedMail, channel: ChannelKind) => void;
}

/** Makes the channels of one repo. */
export type ChannelFactory = (repoId: string, repo: RepoConfig, context: ChannelContext) => ChannelAdapter[] | Promise<ChannelAdapter[]>;

/**
 * The production channels: email when `repos.<id>.email` is set, Slack when
 * `repos.<id>.slack` is. Each channel's code (IMAP, SMTP and mail
 * authentication; Bolt) is loaded when a repo first uses it, so a service
 * without such a repo, and every other command, starts without it.
 */
export const defaultChannels: ChannelFactory = async (repoId, repo, context) => {
  const channels: ChannelAdapter[] = [];
  if (repo.email !== undefined) {
    const { EmailChannel } = await import('../channels/email/index.js');
    const conversations = new ConversationStore(context.repoStateDir);
    channels.push(new EmailChannel({
      repoId,
      config: repo.email,
      stateDir: join(context.repoStateDir, 'email'),
      logger: context.logger,
      onRejected: (rejected) => context.onRejected(rejected, 'email'),
      conversationExists: (id) => conversations.exists(id),
    }));
  }
  if (repo.slack !== undefined) {
    const { SlackChannel } = await import('../channels/slack/index.js');
    channels.push(new SlackChannel({
      repoId,
      config: repo.slack,
      stateDir: join(context.repoStateDir, 'slack'),
      logger: context.logger,
      onRejected: (rejected) => context.onRejected(rejected, 'slack'),
    }));
  }
  return channels;
};

/** The repo settings a run reads, from the config. */
export function repoSettings(repo: RepoConfig, config: ServerConfig): RepoSettings {
  // A dollar cost misleads when Claude runs on a subscription token rather than an API key.
  const subscription = ('CLAUDE_CODE_OAUTH_TOKEN' in repo.secrets || 'CLAUDE_CODE_OAUTH_TOKEN' in repo.masked_secrets)
    && !('ANTHROPIC_API_KEY' in repo.secrets || 'ANTHROPIC_API_KEY' in repo.masked_secrets);
  return {
    model: repo.model,
    ...(repo.effort === undefined ? {} : { effort: repo.effort }),
    ...(repo.resource_limits.timeout === undefined ? {} : { timeoutSeconds: repo.resource_limits.timeout }),
    showCost: !subscription,
    ...(config.dashboard.base_url === undefined ? {} : { dashboardBaseUrl: config.dashboard.base_url }),
    acknowledge: { email: repo.email?.acknowledge ?? true, slack: true },
    approvals: { mode: repo.network.approvals, ttlMs: parseApprovalTtl(repo.network.approval_ttl) },
  };
}

/** The storage of one repo: its conversations and its git mirror. */
export function repoStorage(stateDir: string, repoId: string, repo: RepoConfig): { repoStateDir: string; store: ConversationStore; mirror: GitMirror } {
  const repoStateDir = join(stateDir, repoId);
  return {
    repoStateDir,
    store: new ConversationStore(repoStateDir),
    mirror: new GitMirror({ repoUrl: repo.repo_url, repoStateDir, ...(repo.branch === undefined ? {} : { branch: repo.branch }) }),
  };
}
