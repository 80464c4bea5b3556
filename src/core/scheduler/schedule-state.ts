import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../conversation/atomic-write.js';

/** How a scheduled run ended, as the dashboard shows it. */
export type ScheduleOutcome = 'delivered' | 'nothing_to_do' | 'delivery_failed' | 'failed' | 'interrupted';

/** What is kept of one schedule between runs of the service. */
export interface ScheduleRecord {
  /** The last fire time that was started (ISO). Written before its task starts. */
  lastFire?: string;
  /** The last run's end, when it ended while the service watched. */
  lastRun?: {
    fireAt: string;
    finishedAt: string;
    outcome: ScheduleOutcome;
    conversationId?: string;
    /** Why delivery or the run failed. */
    error?: string;
  };
  /** Fires skipped because the previous run was still going (overlap guard): how many, and the latest. */
  skipped?: {
    count: number;
    lastFireAt: string;
  };
}

/**
 * `schedules.json` in the repo's state directory: per schedule name, the last
 * fire and how the last run ended. The file is replaced atomically on every
 * change, so a crash leaves the previous or the new content.
 */
export class ScheduleState {
  /** The last write: writes go one after another, so an older snapshot never replaces a newer one. */
  private writing: Promise<void> = Promise.resolve();

  private constructor(private readonly path: string, private records: Record<string, ScheduleRecord>) {}

  /** Reads the file (an absent one is empty; a damaged one is an error naming it). */
  static async open(path: string): Promise<ScheduleState> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new ScheduleState(path, {});
      throw error;
    }
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error(`${path} does not hold a JSON object; remove it to forget the schedules' last fires`);
    }
    return new ScheduleState(path, parsed as Record<string, ScheduleRecord>);
  }

  /** The record of `name` (empty when it never fired). */
  get(name: string): ScheduleRecord {
    return this.records[name] ?? {};
  }

  /**
   * Changes the record of `name` and writes the file before resolving. Writes
   * of overlapping updates (a run's end and a skipped fire) are queued in order.
   */
  async update(name: string, change: (record: ScheduleRecord) => ScheduleRecord): Promise<void> {
    this.records = { ...this.records, [name]: change(this.get(name)) };
    const text = `${JSON.stringify(this.records, null, 2)}\n`;
    const write = this.writing.then(async () => {
      await mkdir(dirname(this.path), { recursive: true });
      await writeFileAtomic(this.path, text);
    });
    this.writing = write.catch(() => undefined);
    await write;
  }
}
