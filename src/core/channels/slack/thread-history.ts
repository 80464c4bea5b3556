/**
 * When the bot is mentioned in the middle of a thread it has not seen, the
 * earlier messages of that thread are what the user is talking about: they
 * are read (bounded) and handed to Claude ahead of the instruction.
 */
import type { SlackApiCall } from './slack-api.js';
import { readMessageEvent, type SlackFile } from './slack-event.js';

const PAGE = 200;
const READ_AT_MOST = 1000;
const KEEP = 200;

/** The preamble Claude gets before the replayed messages. */
export const HISTORY_PREAMBLE = 'The user invited you into an existing Slack thread. These are the earlier messages of that thread, oldest first:';

/** One earlier message, already resolved to plain text. */
export interface HistoryLine {
  user: string;
  text: string;
  files: SlackFile[];
}

/** Reads the human messages of a thread before `triggerTs`; undefined when Slack refuses. */
export async function readThreadHistory(call: SlackApiCall, channel: string, threadTs: string, triggerTs: string): Promise<{ lines: HistoryLine[]; omitted: number } | undefined> {
  const lines: HistoryLine[] = [];
  let cursor: string | undefined;
  let read = 0;
  try {
    do {
      const answer = await call('conversations.replies', { channel, ts: threadTs, limit: PAGE, ...(cursor === undefined ? {} : { cursor }) });
      const messages = Array.isArray(answer['messages']) ? answer['messages'] : [];
      read += messages.length;
      for (const raw of messages) {
        const m = readMessageEvent({ channel, ...(raw as object) });
        if (m?.user === undefined || m.botId !== undefined || m.ts === triggerTs) continue;
        if (m.subtype !== undefined && m.subtype !== 'file_share') continue;
        lines.push({ user: m.user, text: m.text, files: m.files });
      }
      const meta = answer['response_metadata'] as Record<string, unknown> | undefined;
      cursor = typeof meta?.['next_cursor'] === 'string' && meta['next_cursor'] !== '' ? meta['next_cursor'] : undefined;
    } while (cursor !== undefined && read < READ_AT_MOST);
  } catch {
    return undefined;
  }
  const omitted = Math.max(0, lines.length - KEEP);
  return { lines: lines.slice(omitted), omitted };
}
