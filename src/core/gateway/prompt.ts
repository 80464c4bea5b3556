import type { ChannelKind } from '../channels/index.js';
import type { BlockedEntry } from '../receipt/receipt.js';

/** One message of a run's prompt, attributed to its sender. */
export interface PromptEntry {
  sender: string;
  receivedAt: Date;
  text: string;
}

/** What {@link buildPrompt} needs besides the messages. */
export interface PromptContext {
  channel: ChannelKind;
  /** Subject of a new conversation; resumed conversations never repeat it. */
  subject?: string;
  /** Names of the files saved to `/inbox` for this run. */
  savedAttachments: readonly string[];
  /** Attachments that were not saved, with the reason (e.g. too large). */
  skippedAttachments?: readonly string[];
  /** Blocked requests the user's `allow N` approved for this conversation just now. */
  approvedNow?: readonly Pick<BlockedEntry, 'method' | 'host' | 'pathPrefix'>[];
}

const MAX_RECOVERY_CONTEXT = 3000;

/**
 * Tells Claude how it is being reached and what the sandbox keeps, so it
 * answers in a form the channel can carry and puts files where they are
 * delivered.
 */
export function channelContext(context: PromptContext): string {
  const where = context.channel === 'email' ? 'email' : 'Slack';
  const formatting = context.channel === 'email' ? 'Markdown' : 'Markdown (except tables)';
  const lines = [
    `You are working for a user who reached you by ${where}. When you finish, your last message is sent back to them as the reply, so make it self-contained; ${formatting} is rendered.`,
    'The repository is checked out in /workspace. Only /workspace, /inbox, /outbox and /storage survive between messages of this conversation; everything else in the container is reset.',
    'To send the user files, write them directly into /outbox (no subdirectories); they are attached to your reply. Use /storage for anything you want to keep for later without sending it.',
    'Interactive tools (AskUserQuestion, plan mode) do not work here: if you need something from the user, ask in your reply and stop.',
  ];
  let text = lines.join('\n');
  if (context.savedAttachments.length > 0) {
    text += `\nThe user attached files, saved in /inbox/: ${context.savedAttachments.join(', ')}.`;
  }
  if (context.skippedAttachments !== undefined && context.skippedAttachments.length > 0) {
    text += `\nSome attachments could not be saved: ${context.skippedAttachments.join('; ')}.`;
  }
  if (context.approvedNow !== undefined && context.approvedNow.length > 0) {
    const entries = context.approvedNow.map((e) => `${e.method} https://${e.host}${e.pathPrefix}`).join(', ');
    text += `\nThe user approved ${context.approvedNow.length === 1 ? 'a network request that was blocked' : 'network requests that were blocked'} before, so the sandbox now lets ${context.approvedNow.length === 1 ? 'it' : 'them'} through for this conversation (that method and path exactly, with any query): ${entries}.`;
  }
  if (context.subject !== undefined && context.subject.trim() !== '') {
    text += `\n\nSubject: ${context.subject.trim()}`;
  }
  return text;
}

/** `YYYY-MM-DD HH:MM:SS` in UTC. */
function utcStamp(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * The user's part of the prompt: every message in arrival order, each headed
 * by who sent it and when, so a merged run knows who said what.
 */
export function formatEntries(entries: readonly PromptEntry[]): string {
  return entries.map((e) => `[${e.sender} ${utcStamp(e.receivedAt)} UTC]\n${e.text.trim()}`).join('\n\n');
}

/** The prompt of a normal run: the channel context, a blank line, the messages. */
export function buildPrompt(context: PromptContext, entries: readonly PromptEntry[]): string {
  return `${channelContext(context)}\n\n${formatEntries(entries)}`;
}

/**
 * The prompt of the one retry in a fresh session after the old session could
 * not be resumed: it says so, carries the last good answer (shortened) so the
 * thread is not lost entirely, and asks Claude to look at the workspace first.
 */
export function buildRecoveryPrompt(context: PromptContext, entries: readonly PromptEntry[], lastReply: string | undefined): string {
  const parts = [
    channelContext(context),
    'IMPORTANT: the earlier session of this conversation could not be resumed (it grew too long or was damaged), so you are starting without its history. The workspace still holds all earlier work.',
  ];
  if (lastReply !== undefined && lastReply.trim() !== '') {
    const shortened = lastReply.length > MAX_RECOVERY_CONTEXT ? `${lastReply.slice(0, MAX_RECOVERY_CONTEXT)}\n[...truncated]` : lastReply;
    parts.push(`Your last reply to the user was:\n---\n${shortened}\n---`);
  }
  parts.push('Tell the user plainly that earlier context was lost, check `git status` and `git log` in /workspace to see where things stand, then continue.');
  parts.push(`The user's message:\n${formatEntries(entries)}`);
  return parts.join('\n\n');
}
