import type { ClaudeEvent } from '../../sandbox/index.js';
import type { ReplyRecord } from '../conversation/index.js';
import type { NetworkLineView, ReplyView, StoredConversation, TaskView } from '../dashboard/index.js';
import { interruptedText, stoppedText } from './reply-text.js';

/**
 * Id of the task that produced reply `index` of a conversation read from
 * disk: the conversation id and the index in 8 hex digits. Sixteen
 * characters, so it never equals a live task's twelve.
 */
export function pastTaskId(conversationId: string, index: number): string {
  return `${conversationId}${index.toString(16).padStart(8, '0')}`;
}

/** The conversation and reply index of a {@link pastTaskId}; undefined for any other id. */
export function parsePastTaskId(taskId: string): { conversationId: string; index: number } | undefined {
  const match = /^([0-9a-f]{8})([0-9a-f]{8})$/.exec(taskId);
  if (match === null) return undefined;
  return { conversationId: match[1] ?? '', index: Number.parseInt(match[2] ?? '', 16) };
}

// The prompt's message headers as the gateway writes them (gateway/prompt.ts formatEntries).
const ENTRY_HEADER = /^\[(.+) (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC\]$/m;
const SUBJECT = /^Subject: (.+)$/m;

/** Who asked, when, and about what, read back from a recorded prompt. */
export interface PromptFacts {
  sender: string | undefined;
  receivedAt: Date | undefined;
  subject: string | undefined;
  firstLine: string | undefined;
}

/** Reads the sender, time, subject and first line of the first message out of a prompt the gateway built. */
export function promptFacts(requestText: string): PromptFacts {
  const header = ENTRY_HEADER.exec(requestText);
  const before = header === null ? requestText : requestText.slice(0, header.index);
  const after = header === null ? '' : requestText.slice(header.index + header[0].length);
  const firstLine = after.split('\n').map((line) => line.trim()).find((line) => line !== '');
  return {
    sender: header?.[1],
    receivedAt: header?.[2] === undefined ? undefined : new Date(`${header[2].replace(' ', 'T')}Z`),
    subject: SUBJECT.exec(before)?.[1]?.trim(),
    firstLine,
  };
}

/** The completion reason a recorded reply stands for, as far as its text tells. */
export function replyReason(reply: ReplyRecord): string {
  if (!reply.isError) return 'success';
  // Records written before the receipt was kept apart end with its block: the status texts are matched as their start.
  if (reply.responseText.startsWith(stoppedText(true)) || reply.responseText.startsWith(stoppedText(false))) return 'stopped';
  if (reply.responseText.startsWith(interruptedText())) return 'interrupted';
  if (/because it ran out of time/.test(reply.responseText)) return 'timeout';
  if (reply.responseText.startsWith('The network sandbox failed during the run')) return 'proxy_failed';
  if (reply.responseText.startsWith('The run reached its budget ')) return 'budget_exceeded';
  return 'execution_failed';
}

/** The task view of reply `index` of a stored conversation. */
export function pastTaskView(stored: StoredConversation, index: number): TaskView {
  const reply = stored.record.replies[index] as ReplyRecord;
  const facts = promptFacts(reply.requestText);
  const conversationSubject = stored.record.replies.map((r) => promptFacts(r.requestText).subject).find((s) => s !== undefined);
  const finished = new Date(reply.timestamp);
  const finishedAt = Number.isNaN(finished.getTime()) ? stored.modifiedAt : finished;
  const startedAt = new Date(finishedAt.getTime() - reply.durationMs);
  const reason = replyReason(reply);
  return {
    taskId: pastTaskId(stored.conversationId, index),
    repoId: stored.repoId,
    conversationId: stored.conversationId,
    title: (facts.subject ?? (index > 0 && conversationSubject !== undefined ? `Re: ${conversationSubject}` : facts.firstLine) ?? `Reply ${index + 1}`).slice(0, 120),
    sender: facts.sender ?? '',
    state: reason === 'success' ? 'completed' : 'failed',
    reason,
    queuedAt: (facts.receivedAt ?? startedAt).toISOString(),
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
  };
}

/** A reply as the dashboard shows it. */
export function replyView(reply: ReplyRecord, taskId: string): ReplyView {
  return {
    taskId,
    timestamp: reply.timestamp,
    durationMs: reply.durationMs,
    costUsd: reply.totalCostUsd,
    numTurns: reply.numTurns,
    isError: reply.isError,
    usage: reply.usage,
    sessionId: reply.sessionId,
    requestText: reply.requestText,
    responseText: reply.responseText,
  };
}

/**
 * Which runs of `events.jsonl` belong to which reply. A reply with a session
 * id came from a run that printed events; it takes the runs up to and
 * including the next one that carries its session id (an earlier run in
 * between is a first attempt retried in a fresh session, or a run cut short
 * by a crash). Replies without a session id (failures before Claude started)
 * get none. Unmatched ids fall back to the next run in order.
 */
export function alignEvents(replies: readonly ReplyRecord[], runs: readonly ClaudeEvent[][]): ClaudeEvent[][] {
  let cursor = 0;
  return replies.map((reply) => {
    if (reply.sessionId === '' || cursor >= runs.length) return [];
    let match = cursor;
    while (match < runs.length && !(runs[match] ?? []).some((event) => event.sessionId === reply.sessionId)) match++;
    const end = match < runs.length ? match : cursor;
    const taken = runs.slice(cursor, end + 1).flat();
    cursor = end + 1;
    return taken;
  });
}

const KINDS: Record<string, string> = { ALLOWED: 'ALLOWED', BLOCKED: 'BLOCKED', ERROR: 'ERROR', STRIPPED: 'STRIPPED', COLLAPSED: 'COLLAPSED', WARNING: 'WARNING', DNS: 'DNS' };
const TASK_START = /^=== TASK START (\S+) ===$/;

/**
 * Splits a network log into the parts of each reply: a part begins at a
 * `=== TASK START <time> ===` line and belongs to the first reply recorded at
 * or after that time (lines before any start line, to the first reply).
 */
export function alignNetworkLog(replies: readonly ReplyRecord[], text: string): NetworkLineView[][] {
  const out: NetworkLineView[][] = replies.map(() => []);
  let target = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const start = TASK_START.exec(line);
    if (start !== null) {
      const at = new Date(start[1] ?? '').getTime();
      const index = replies.findIndex((reply) => new Date(reply.timestamp).getTime() >= at);
      target = index === -1 ? replies.length : index;
    }
    const kind = start !== null ? 'TASK_START' : KINDS[line.slice(0, line.indexOf(' ')).replace(/:$/, '')] ?? 'OTHER';
    out[target]?.push({ kind, line });
  }
  return out;
}

/** A stream-json event as the dashboard's script reads it: the parsed fields, without the raw line. */
export function eventView(event: ClaudeEvent): unknown {
  const { raw: _raw, data: _data, ...rest } = event;
  return rest;
}
