import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readReplies } from '../../sandbox/index.js';
import type { ClaudeEvent } from '../../sandbox/index.js';
import { conversationLayout, conversationsDir, isConversationId, parseConversation, type ConversationRecord } from '../conversation/index.js';
import { readReceipts, type ApprovalInEffect, type StoredReceipt } from '../receipt/index.js';
import { approvalsInEffect, readApprovals, revokeApproval } from '../approvals/index.js';
import type { ApprovalTarget } from './source.js';

/** A conversation as found on disk. */
export interface StoredConversation {
  repoId: string;
  conversationId: string;
  record: ConversationRecord;
  /** Modification time of its `conversation.json`. */
  modifiedAt: Date;
}

/** Options of a {@link ConversationHistory}. */
export interface ConversationHistoryOptions {
  /** `$XDG_STATE_HOME/airut`: one directory per repo, conversations under it. */
  stateDir: string;
  /** The repos whose conversations are shown (the configured ones). */
  repoIds: () => readonly string[];
  /** Conversations read for the recent list, newest `conversation.json` first. Default 50. */
  recentLimit?: number;
  /** Bytes read from the end of a network log at most. Default 4 MiB. */
  maxNetworkLogBytes?: number;
}

/**
 * Reads what earlier runs of the service left under the state directory, so
 * the dashboard can show finished tasks after a restart. Reading is bounded:
 * the recent list reads only the newest conversations by mtime, and parsed
 * records are cached until their file changes.
 */
export class ConversationHistory {
  private readonly cache = new Map<string, { mtimeMs: number; record: ConversationRecord | undefined }>();
  private readonly recentLimit: number;
  private readonly maxNetworkLogBytes: number;

  constructor(private readonly options: ConversationHistoryOptions) {
    this.recentLimit = options.recentLimit ?? 50;
    this.maxNetworkLogBytes = options.maxNetworkLogBytes ?? 4 * 1024 * 1024;
  }

  /** The most recently changed conversations of every repo, newest first. */
  async recent(): Promise<StoredConversation[]> {
    const found: { repoId: string; conversationId: string; mtimeMs: number }[] = [];
    for (const repoId of this.options.repoIds()) {
      const dir = conversationsDir(join(this.options.stateDir, repoId));
      for (const conversationId of (await readdirOrEmpty(dir)).filter(isConversationId)) {
        const mtimeMs = await mtimeOf(this.layout(repoId, conversationId).metadataFile);
        if (mtimeMs !== undefined) found.push({ repoId, conversationId, mtimeMs });
      }
    }
    found.sort((a, b) => b.mtimeMs - a.mtimeMs);
    const out: StoredConversation[] = [];
    for (const entry of found) {
      if (out.length >= this.recentLimit) break;
      const stored = await this.read(entry.repoId, entry.conversationId);
      if (stored !== undefined) out.push(stored);
    }
    return out;
  }

  /**
   * Conversation `conversationId` of `repoId`, or of whichever configured repo
   * has it (ids are 8 random hex characters, so two repos sharing one is
   * unlikely; the most recently changed wins).
   */
  async find(conversationId: string, repoId?: string): Promise<StoredConversation | undefined> {
    if (!isConversationId(conversationId)) return undefined;
    const repos = repoId === undefined ? this.options.repoIds() : this.options.repoIds().filter((id) => id === repoId);
    let best: StoredConversation | undefined;
    for (const id of repos) {
      const stored = await this.read(id, conversationId);
      if (stored !== undefined && (best === undefined || stored.modifiedAt > best.modifiedAt)) best = stored;
    }
    return best;
  }

  /** The conversation's `events.jsonl`, one array of events per run. */
  events(stored: StoredConversation): Promise<ClaudeEvent[][]> {
    return readReplies(this.layout(stored.repoId, stored.conversationId).eventsFile);
  }

  /** The receipts of the conversation's runs, oldest first (`receipts.jsonl`); none when it has none. */
  receipts(stored: StoredConversation): Promise<StoredReceipt[]> {
    return readReceipts(this.layout(stored.repoId, stored.conversationId).dir);
  }

  /** The conversation's approvals in effect at `now` (`approvals.json`); none when unreadable or absent. */
  async approvals(stored: StoredConversation, now: Date): Promise<ApprovalInEffect[]> {
    const state = await readApprovals(this.layout(stored.repoId, stored.conversationId).dir).catch(() => undefined);
    return state === undefined ? [] : approvalsInEffect(state, now);
  }

  /** Ends the conversation's approval of exactly this request; false when none is in effect at `now`. */
  revokeApproval(stored: StoredConversation, target: ApprovalTarget, now: Date): Promise<boolean> {
    return revokeApproval(this.layout(stored.repoId, stored.conversationId).dir, target, now);
  }

  /** The conversation's `network-sandbox.log` (its last bytes when large); empty when there is none. */
  async networkLog(stored: StoredConversation): Promise<string> {
    const path = this.layout(stored.repoId, stored.conversationId).networkLogFile;
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw error;
    }
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, this.maxNetworkLogBytes);
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, size - length);
      const text = buffer.toString('utf8', 0, bytesRead);
      // A tail starts mid-line: drop the partial first line.
      return length < size ? text.slice(text.indexOf('\n') + 1) : text;
    } finally {
      await handle.close();
    }
  }

  private layout(repoId: string, conversationId: string) {
    return conversationLayout(join(this.options.stateDir, repoId), conversationId);
  }

  private async read(repoId: string, conversationId: string): Promise<StoredConversation | undefined> {
    const file = this.layout(repoId, conversationId).metadataFile;
    const mtimeMs = await mtimeOf(file);
    if (mtimeMs === undefined) return undefined;
    const key = `${repoId}/${conversationId}`;
    let cached = this.cache.get(key);
    if (cached?.mtimeMs !== mtimeMs) {
      const text = await readFile(file, 'utf8').catch((error: unknown) => {
        // Removed between stat and read (housekeeping): treat as gone.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      });
      const record = text === undefined ? undefined : parseConversation(text);
      cached = { mtimeMs, record: record?.conversationId === conversationId ? record : undefined };
      this.cache.set(key, cached);
    }
    if (cached.record === undefined) return undefined;
    return { repoId, conversationId, record: cached.record, modifiedAt: new Date(mtimeMs) };
  }
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function mtimeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw error;
  }
}
