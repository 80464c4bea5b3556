import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Mutex, writeFileAtomic } from '../conversation/index.js';
import { BudgetError } from './error.js';

/** What was spent before a run, against the caps that span runs. */
export interface PriorSpend {
  /** USD the conversation's earlier runs spent. */
  conversation: number;
  /** USD the repo's runs spent today (UTC). */
  day: number;
}

interface LedgerFile {
  version: 1;
  /** UTC day (`2026-12-06`) -> USD. */
  days: Record<string, number>;
  /** Conversation id -> USD and when it last spent. */
  conversations: Record<string, { usd: number; updated: string }>;
}

/** Days kept besides today (for an operator reading the file); older ones are dropped on write. */
const KEEP_DAYS = 7;
/** A conversation that spent nothing for this long is dropped (it has long expired). */
const KEEP_CONVERSATION_MS = 90 * 24 * 3600 * 1000;

/**
 * One repo's spending across runs, in USD as the proxy counted it: per
 * conversation and per UTC day, so the conversation and day caps see what
 * earlier runs spent. A small JSON file in the repo's state directory,
 * replaced atomically on each write; writes of one ledger run one at a time.
 * The gateway is the only process that writes it.
 */
export class SpendLedger {
  private readonly lock = new Mutex();

  /**
   * @param path the ledger file, e.g. `$XDG_STATE_HOME/airut/<repo>/budget-spend.json`
   * @param now the clock; the day is its UTC date
   */
  constructor(readonly path: string, private readonly now: () => Date = () => new Date()) {}

  /** What the conversation and the repo today spent so far. */
  async prior(conversationId: string): Promise<PriorSpend> {
    const file = await this.read();
    return { conversation: file.conversations[conversationId]?.usd ?? 0, day: file.days[dayOf(this.now())] ?? 0 };
  }

  /** Adds a run's spend to its conversation and to today. Nothing is written for a run that spent nothing. */
  async record(conversationId: string, usd: number): Promise<void> {
    if (!Number.isFinite(usd) || usd < 0) throw new RangeError(`spend must be a finite amount >= 0, got ${usd}`);
    if (usd === 0) return;
    await this.lock.run(async () => {
      const file = await this.read();
      const now = this.now();
      const today = dayOf(now);
      file.days[today] = (file.days[today] ?? 0) + usd;
      file.conversations[conversationId] = { usd: (file.conversations[conversationId]?.usd ?? 0) + usd, updated: now.toISOString() };
      const oldestDay = dayOf(new Date(now.getTime() - KEEP_DAYS * 24 * 3600 * 1000));
      for (const day of Object.keys(file.days)) if (day < oldestDay) delete file.days[day];
      for (const [id, entry] of Object.entries(file.conversations)) {
        if (now.getTime() - Date.parse(entry.updated) > KEEP_CONVERSATION_MS) delete file.conversations[id];
      }
      await mkdir(dirname(this.path), { recursive: true });
      await writeFileAtomic(this.path, `${JSON.stringify(file, null, 2)}\n`);
    });
  }

  private async read(): Promise<LedgerFile> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, days: {}, conversations: {} };
      throw error;
    }
    return parseLedger(text, this.path);
  }
}

/** The UTC date of `time`, `YYYY-MM-DD`. */
export function dayOf(time: Date): string {
  return time.toISOString().slice(0, 10);
}

/** A damaged ledger stops the run rather than letting it spend as if nothing had been spent (budgets fail closed). */
function parseLedger(text: string, path: string): LedgerFile {
  const fail = (problem: string): never => {
    throw new BudgetError('BUDGET_LEDGER_INVALID', `The spend ledger ${path} ${problem}.`, {
      hint: `Fix or remove ${path}; removing it forgets what conversations and today's runs spent, so their budgets start again from zero.`,
    });
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail('is not valid JSON');
  }
  if (typeof value !== 'object' || value === null) return fail('is not a JSON object');
  const record = value as Record<string, unknown>;
  if (record.version !== 1) fail(`has version ${JSON.stringify(record.version)}, expected 1`);
  const days = record.days as Record<string, unknown> | undefined;
  const conversations = record.conversations as Record<string, unknown> | undefined;
  if (typeof days !== 'object' || days === null || typeof conversations !== 'object' || conversations === null) return fail('lacks days or conversations');
  const out: LedgerFile = { version: 1, days: {}, conversations: {} };
  for (const [day, usd] of Object.entries(days)) {
    if (typeof usd !== 'number' || !Number.isFinite(usd) || usd < 0) fail(`has a bad amount for day ${day}: ${JSON.stringify(usd)}`);
    out.days[day] = usd as number;
  }
  for (const [id, entry] of Object.entries(conversations)) {
    const e = entry as Record<string, unknown> | null;
    if (typeof e?.usd !== 'number' || !Number.isFinite(e.usd) || e.usd < 0 || typeof e.updated !== 'string') fail(`has a bad entry for conversation ${id}`);
    out.conversations[id] = { usd: (e as { usd: number }).usd, updated: (e as { updated: string }).updated };
  }
  return out;
}
