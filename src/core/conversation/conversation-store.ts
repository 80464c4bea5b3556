import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-write.js';
import { newConversationId, isConversationId } from './conversation-id.js';
import { parseConversation, serializeConversation, type ConversationRecord } from './conversation-record.js';
import { ConversationError } from './error.js';
import { removeWorkspaceLeftovers } from './git-mirror.js';
import { conversationLayout, conversationsDir, type ConversationLayout } from './conversation-layout.js';

/** Options of a {@link ConversationStore}. */
export interface ConversationStoreOptions {
  /** Makes new ids; the default draws 8 hex characters from the CSPRNG. */
  newId?: () => string;
  /** The clock age-based cleanup measures against. */
  clock?: () => Date;
}

/** A conversation removed by {@link ConversationStore.removeExpired}. */
export interface ExpiredConversation {
  id: string;
  ageDays: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The conversations of one repo: `<repoStateDir>/conversations/<id>/`. Only
 * directories named by a well-formed id count; the metadata file is replaced
 * atomically on every write.
 */
export class ConversationStore {
  private readonly newId: () => string;
  private readonly clock: () => Date;

  constructor(readonly repoStateDir: string, options: ConversationStoreOptions = {}) {
    this.newId = options.newId ?? newConversationId;
    this.clock = options.clock ?? (() => new Date());
  }

  /** The paths of conversation `id`. @throws ConversationError `CONVERSATION_ID_INVALID` for a malformed id. */
  layout(id: string): ConversationLayout {
    if (!isConversationId(id)) {
      throw new ConversationError('CONVERSATION_ID_INVALID', `conversation id ${JSON.stringify(id)} is not 8 lowercase hex characters`, {
        hint: 'Conversation ids look like "ab12cd34".',
      });
    }
    return conversationLayout(this.repoStateDir, id);
  }

  /**
   * Reserves a fresh id by creating its directory (never reusing an existing
   * one) and writes its first metadata.
   */
  async create(initial: Omit<ConversationRecord, 'conversationId' | 'replies'> = {}): Promise<ConversationRecord> {
    await mkdir(conversationsDir(this.repoStateDir), { recursive: true });
    for (let attempt = 0; ; attempt++) {
      const id = this.newId();
      const layout = this.layout(id);
      try {
        await mkdir(layout.dir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 20) continue;
        throw error;
      }
      const record: ConversationRecord = { ...initial, conversationId: id, replies: [] };
      await this.write(record);
      return record;
    }
  }

  /**
   * True when `id` names a conversation that can be resumed: its workspace
   * was completely created (the workspace and its completion marker exist).
   * A directory without one, or with a workspace a crash cut short, does not
   * count; such a workspace is made again before the next run.
   */
  async canResume(id: string): Promise<boolean> {
    if (!isConversationId(id)) return false;
    const layout = this.layout(id);
    return (await isDirectory(layout.workspace)) && (await isFile(layout.workspaceMarker));
  }

  /**
   * Removes the temporary clones a crash left in any conversation. Call it at
   * start, before any workspace is being created. Returns how many it removed.
   */
  async removeWorkspaceLeftovers(): Promise<number> {
    let removed = 0;
    for (const id of await this.list()) removed += await removeWorkspaceLeftovers(this.layout(id).workspace);
    return removed;
  }

  /** True when the directory of `id` exists, resumable or not. */
  async exists(id: string): Promise<boolean> {
    if (!isConversationId(id)) return false;
    return isDirectory(this.layout(id).dir);
  }

  /**
   * The metadata of `id`; a missing or damaged file reads as a record with no
   * replies, so a conversation whose metadata was lost still continues.
   */
  async read(id: string): Promise<ConversationRecord> {
    const layout = this.layout(id);
    let text: string;
    try {
      text = await readFile(layout.metadataFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return { conversationId: id, replies: [] };
    }
    const record = parseConversation(text);
    return record?.conversationId === id ? record : { conversationId: id, replies: [] };
  }

  /** Replaces the metadata of `record.conversationId` atomically. */
  async write(record: ConversationRecord): Promise<void> {
    await writeFileAtomic(this.layout(record.conversationId).metadataFile, serializeConversation(record));
  }

  /** Reads, changes and writes back the metadata of `id`. Callers serialise runs per conversation. */
  async update(id: string, change: (record: ConversationRecord) => ConversationRecord): Promise<ConversationRecord> {
    const next = change(await this.read(id));
    await this.write(next);
    return next;
  }

  /** Creates the directories a run mounts (all but the workspace, which only a clone makes). */
  async prepareRunDirectories(id: string): Promise<ConversationLayout> {
    const layout = this.layout(id);
    for (const dir of [layout.claude, layout.inbox, layout.outbox, layout.storage]) await mkdir(dir, { recursive: true });
    return layout;
  }

  /** Ids of every conversation, sorted. */
  async list(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(conversationsDir(this.repoStateDir));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const ids: string[] = [];
    for (const name of names.filter(isConversationId).sort()) {
      if (await isDirectory(this.layout(name).dir)) ids.push(name);
    }
    return ids;
  }

  /** Deletes conversation `id` and everything in it. */
  async remove(id: string): Promise<void> {
    await rm(this.layout(id).dir, { recursive: true, force: true });
  }

  /**
   * Deletes conversations untouched for more than `maxAgeDays`, measured by the
   * workspace's modification time (the directory's own when there is no
   * workspace). `keep` protects conversations with work in flight.
   */
  async removeExpired(maxAgeDays: number, keep: ReadonlySet<string> = new Set()): Promise<ExpiredConversation[]> {
    const now = this.clock().getTime();
    const removed: ExpiredConversation[] = [];
    for (const id of await this.list()) {
      if (keep.has(id)) continue;
      const layout = this.layout(id);
      const touched = (await statOrUndefined(layout.workspace)) ?? (await statOrUndefined(layout.dir));
      if (touched === undefined) continue;
      const ageDays = (now - touched.mtimeMs) / DAY_MS;
      if (ageDays <= maxAgeDays) continue;
      await this.remove(id);
      removed.push({ id, ageDays });
    }
    return removed;
  }
}

async function statOrUndefined(path: string): Promise<{ mtimeMs: number } | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
