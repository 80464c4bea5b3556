import { readFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../conversation/index.js';
import type { Logger } from '../../log/index.js';
import { SlackChannelError } from './error.js';

/** File name of the Slack thread map inside the channel's state dir. */
export const THREAD_STORE_FILE = 'slack_threads.json';

/** The key of a Slack thread: `<channel id>:<thread ts>`. */
export function threadKey(channel: string, threadTs: string): string {
  return `${channel}:${threadTs}`;
}

/**
 * Slack thread <-> conversation id, one flat JSON object rewritten
 * atomically on each new thread, so a restart keeps every thread working.
 */
export class ThreadStore {
  private constructor(private readonly path: string, private readonly threads: Map<string, string>) {}

  /** Loads the map from `dir`; a missing file is empty, a corrupt one is logged and started over. */
  static async open(dir: string, logger: Logger): Promise<ThreadStore> {
    await mkdir(dir, { recursive: true });
    const path = join(dir, THREAD_STORE_FILE);
    const threads = new Map<string, string>();
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (text !== undefined) {
      try {
        const parsed: unknown = JSON.parse(text);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
        for (const [key, value] of Object.entries(parsed)) if (typeof value === 'string') threads.set(key, value);
      } catch (error) {
        // Losing the map only means old threads start new conversations; refusing to start would be worse.
        logger.warn('Slack thread map unreadable; starting with an empty one', { path, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return new ThreadStore(path, threads);
  }

  /** The conversation of a thread, if it has one. */
  conversationOf(key: string): string | undefined {
    return this.threads.get(key);
  }

  /** Maps a thread to a conversation and persists the map when that is new. */
  async register(key: string, conversationId: string): Promise<void> {
    if (this.threads.get(key) === conversationId) return;
    this.threads.set(key, conversationId);
    await this.save();
  }

  /** Forgets threads whose conversation no longer exists. */
  async prune(exists: (conversationId: string) => boolean): Promise<number> {
    let removed = 0;
    for (const [key, id] of this.threads) {
      if (!exists(id)) {
        this.threads.delete(key);
        removed++;
      }
    }
    if (removed > 0) await this.save();
    return removed;
  }

  private async save(): Promise<void> {
    try {
      await writeFileAtomic(this.path, `${JSON.stringify(Object.fromEntries(this.threads), null, 2)}\n`);
    } catch (cause) {
      throw new SlackChannelError('SLACK_THREAD_STORE_UNWRITABLE', `cannot write the Slack thread map ${this.path}`, {
        cause, hint: 'Check that the state directory is writable and the disk is not full.',
      });
    }
  }
}
