/**
 * Who may give this repo's Slack app work. Baseline refusals come first
 * (bots, deactivated users, other workspaces), then the configured rules in
 * order; the first that matches grants access. Lookups are cached for a few
 * minutes, and stale group data is used when a refresh fails.
 */
import type { SlackAuthorizationRule } from '../../config/index.js';
import type { Logger } from '../../log/index.js';
import type { SlackApiCall } from './slack-api.js';

/** The parts of a Slack user the channel looks at. */
export interface SlackUser {
  id: string;
  teamId: string | undefined;
  isBot: boolean;
  deleted: boolean;
  /** Guest (single- or multi-channel). */
  guest: boolean;
  displayName: string;
  /** Lower-cased names `@name` in an answer can match: display name, real name, handle. */
  names: string[];
}

/** The verdict on one user. */
export type AuthorizationVerdict = { allowed: true; user: SlackUser } | { allowed: false; reason: string };

const CACHE_MS = 5 * 60_000;

interface Cached<T> {
  value: T;
  at: number;
}

/** Options of {@link SlackAuthorizer}. */
export interface SlackAuthorizerOptions {
  rules: SlackAuthorizationRule[];
  call: SlackApiCall;
  /** The workspace the bot lives in (from `auth.test`). */
  teamId: () => Promise<string>;
  logger: Logger;
  now?: () => number;
}

/** Authorizes Slack users against a repo's `slack.authorized` rules. */
export class SlackAuthorizer {
  private readonly users = new Map<string, Cached<SlackUser>>();
  private readonly groupMembers = new Map<string, Cached<Set<string>>>();
  private groupIds: Map<string, string> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: SlackAuthorizerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Decides whether `userId` may send tasks. */
  async authorize(userId: string): Promise<AuthorizationVerdict> {
    let user: SlackUser;
    try {
      user = await this.user(userId);
    } catch {
      return { allowed: false, reason: 'failed to fetch user info' };
    }
    if (user.isBot) return { allowed: false, reason: 'bot users are not allowed' };
    if (user.deleted) return { allowed: false, reason: 'deactivated users are not allowed' };
    let team: string;
    try {
      team = await this.options.teamId();
    } catch {
      return { allowed: false, reason: 'cannot verify workspace membership (auth.test failed)' };
    }
    if (user.teamId !== team) return { allowed: false, reason: 'external users are not allowed' };
    for (const rule of this.options.rules) {
      if (rule.workspace_members === true && !user.guest) return { allowed: true, user };
      if (rule.user_id !== undefined && rule.user_id === user.id) return { allowed: true, user };
      if (rule.user_group !== undefined && (await this.inGroup(rule.user_group, user.id))) return { allowed: true, user };
    }
    return { allowed: false, reason: 'no authorization rule matched' };
  }

  /** A user's details, from the cache when fresh. */
  async user(userId: string): Promise<SlackUser> {
    const cached = this.users.get(userId);
    if (cached !== undefined && this.now() - cached.at < CACHE_MS) return cached.value;
    const answer = await this.options.call('users.info', { user: userId });
    const user = toUser(userId, answer['user']);
    this.users.set(userId, { value: user, at: this.now() });
    return user;
  }

  /** The display name of a user already looked up, without a call. */
  knownName(userId: string): string | undefined {
    return this.users.get(userId)?.value.displayName;
  }

  /** The one known, non-bot user whose name is `name` (case-insensitive); several or none: undefined. */
  userNamed(name: string): string | undefined {
    const wanted = name.toLowerCase();
    const matches = [...this.users.values()].filter((c) => !c.value.isBot && c.value.names.includes(wanted));
    return matches.length === 1 ? matches[0]?.value.id : undefined;
  }

  private async inGroup(handle: string, userId: string): Promise<boolean> {
    const groupId = await this.groupId(handle);
    if (groupId === undefined) return false;
    const cached = this.groupMembers.get(groupId);
    if (cached !== undefined && this.now() - cached.at < CACHE_MS) return cached.value.has(userId);
    try {
      const answer = await this.options.call('usergroups.users.list', { usergroup: groupId });
      const members = new Set(Array.isArray(answer['users']) ? answer['users'].filter((u): u is string => typeof u === 'string') : []);
      this.groupMembers.set(groupId, { value: members, at: this.now() });
      return members.has(userId);
    } catch (error) {
      this.options.logger.warn('user group lookup failed', { group: handle, stale: cached !== undefined, error: error instanceof Error ? error.message : String(error) });
      return cached?.value.has(userId) ?? false;
    }
  }

  private async groupId(handle: string): Promise<string | undefined> {
    if (this.groupIds === undefined) {
      try {
        const answer = await this.options.call('usergroups.list', {});
        const groups = Array.isArray(answer['usergroups']) ? answer['usergroups'] as Record<string, unknown>[] : [];
        this.groupIds = new Map(groups.map((g) => [String(g['handle']), String(g['id'])]));
      } catch (error) {
        this.options.logger.warn('user groups could not be listed', { error: error instanceof Error ? error.message : String(error) });
        return undefined;
      }
    }
    const id = this.groupIds.get(handle.replace(/^@/, ''));
    if (id === undefined) this.options.logger.warn('unknown Slack user group in slack.authorized; the rule never matches', { group: handle });
    return id;
  }
}

function toUser(userId: string, raw: unknown): SlackUser {
  const u = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const profile = (typeof u['profile'] === 'object' && u['profile'] !== null ? u['profile'] : {}) as Record<string, unknown>;
  const text = (value: unknown): string => typeof value === 'string' ? value : '';
  const names = [text(profile['display_name']), text(profile['real_name']), text(u['real_name']), text(u['name'])].filter((n) => n !== '');
  return {
    id: userId,
    teamId: typeof u['team_id'] === 'string' ? u['team_id'] : undefined,
    isBot: u['is_bot'] === true,
    deleted: u['deleted'] === true,
    guest: u['is_restricted'] === true || u['is_ultra_restricted'] === true,
    displayName: names[0] ?? userId,
    names: names.map((n) => n.toLowerCase()),
  };
}
