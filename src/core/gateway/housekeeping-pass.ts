import { basename, dirname, resolve } from 'node:path';
import type { ClaudeBinaryCache, ClaudeVersionRequest } from '../../sandbox/index.js';
import type { ConversationStore } from '../conversation/index.js';
import type { Logger } from '../log/index.js';
import type { HousekeepingPass } from './housekeeping.js';
import type { RepoHandler } from './repo-handler.js';

/** A running repo, as housekeeping sees it. */
export interface HousekeepingRepo {
  id: string;
  store: Pick<ConversationStore, 'removeExpired'>;
  handler: Pick<RepoHandler, 'runningConversations' | 'pruneChannels'>;
  /** The repo's `claude_version`. */
  claudeVersion: ClaudeVersionRequest;
  /** The binary the repo's tasks run, once one has run. */
  claudeBinaryInUse(): Promise<string | undefined>;
}

/** What a pass works on; read again at every pass, so a reload applies to the next one. */
export interface HousekeepingPassOptions {
  repos: () => readonly HousekeepingRepo[];
  settings: () => { conversationMaxAgeDays: number; imagePrune: boolean };
  pruneImages: () => Promise<number>;
  claudeCache: Pick<ClaudeBinaryCache, 'cacheDir' | 'listCached' | 'prune'>;
  logger: Logger;
}

/**
 * One housekeeping pass of the service (GW-19): per repo, conversations
 * older than `execution.conversation_max_age_days` go (those with a task in
 * flight stay), then what its channels keep about gone conversations (the
 * Slack thread map); old images when `execution.image_prune`; and cached
 * Claude Code binaries except the newest and those any repo's tasks use or
 * its `claude_version` names.
 */
export function housekeepingPass(options: HousekeepingPassOptions): HousekeepingPass {
  const { logger } = options;
  return async () => {
    const repos = options.repos();
    const settings = options.settings();
    // Each step stands alone: one that fails (podman unreachable for the image
    // prune, a repo's state unreadable) is logged and the others still run.
    const failures: string[] = [];
    const step = async (name: string, fields: Record<string, string>, work: () => Promise<void>): Promise<void> => {
      try {
        await work();
      } catch (error) {
        failures.push(name);
        logger.error('housekeeping step failed', { step: name, ...fields, error: error instanceof Error ? error.message : String(error) });
      }
    };
    for (const repo of repos) {
      await step('conversations', { repo: repo.id }, async () => {
        const removed = await repo.store.removeExpired(settings.conversationMaxAgeDays, new Set(repo.handler.runningConversations()));
        for (const r of removed) logger.info('conversation removed', { repo: repo.id, conversation: r.id, age_days: r.ageDays.toFixed(1) });
        const forgotten = await repo.handler.pruneChannels();
        if (forgotten > 0) logger.info('threads of removed conversations forgotten', { repo: repo.id, threads: forgotten });
      });
    }
    if (settings.imagePrune && repos.length > 0) {
      await step('images', {}, async () => {
        const pruned = await options.pruneImages();
        if (pruned > 0) logger.info('old images removed', { images: pruned });
      });
    }
    await step('claude-binaries', {}, async () => {
      const binaries = await pruneClaudeBinaries(options.claudeCache, repos);
      if (binaries.length > 0) logger.info('old Claude Code binaries removed', { versions: binaries.join(',') });
    });
    if (failures.length > 0) throw new Error(`housekeeping steps failed: ${failures.join(', ')}`);
  };
}

/**
 * Removes cached Claude Code versions nobody needs: kept are the newest, the
 * one each repo's tasks run (a running task's binary is never removed), and
 * what each repo's `claude_version` names (a channel by its last resolution).
 * Returns the versions removed.
 */
export async function pruneClaudeBinaries(cache: HousekeepingPassOptions['claudeCache'], repos: readonly HousekeepingRepo[]): Promise<string[]> {
  const cached = await cache.listCached();
  const newest = cached.at(-1);
  if (newest === undefined) return [];
  const keep = new Set<ClaudeVersionRequest>([newest]);
  for (const repo of repos) {
    keep.add(repo.claudeVersion);
    const path = await repo.claudeBinaryInUse();
    // A binary outside the cache (execution.claude_binary) protects nothing in it.
    if (path !== undefined && resolve(dirname(dirname(path))) === resolve(cache.cacheDir)) keep.add(basename(dirname(path)));
  }
  return cache.prune([...keep]);
}
