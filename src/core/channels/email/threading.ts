/**
 * Message-IDs Airut writes and how an incoming mail finds its conversation.
 *
 * Our ids look like `<airut.{conversation}.{unix seconds}.{nonce}@{domain}>`, so
 * a reply points back at its conversation through `In-Reply-To`/`References`
 * even if the stored map is lost; the `[ID:xxxxxxxx]` subject tag is the
 * fallback for forwarded mail or clients that drop those headers.
 */
import { randomBytes } from 'node:crypto';

const OUR_ID = /<airut\.([0-9a-f]{8})\.[\w.]+@/;
const SUBJECT_TAG = /\[ID:([0-9a-f]{8})\]/;

/** A new Message-ID for a mail in `conversationId`, in the domain of `fromAddress`. */
export function createMessageId(conversationId: string, fromAddress: string, now: Date, nonce: string = randomBytes(4).toString('hex')): string {
  const at = fromAddress.lastIndexOf('@');
  const domain = at >= 0 ? fromAddress.slice(at + 1).replace(/>.*$/, '').trim() : '';
  return `<airut.${conversationId}.${Math.floor(now.getTime() / 1000)}.${nonce}@${domain === '' ? 'localhost' : domain}>`;
}

/** Message-ID tokens (`<...>`) in a header value, in order. */
export function messageIdTokens(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  const text = typeof value === 'string' ? value : value.join(' ');
  return text.match(/<[^<>\s]+>/g) ?? [];
}

/** Where a conversation id was found. */
export type ConversationSource = 'known-message-id' | 'airut-message-id' | 'subject-tag';

/** Inputs of {@link resolveConversation}. */
export interface ThreadHeaders {
  inReplyTo: string[];
  references: string[];
  subject: string | undefined;
}

/**
 * The conversation an incoming mail continues. `In-Reply-To` first, then
 * `References` newest first; each id is looked up in `lookup` (ids we sent) and
 * then read as one of our ids; the subject tag comes last.
 */
export function resolveConversation(
  headers: ThreadHeaders,
  lookup: (messageId: string) => string | undefined,
): { conversationId: string; source: ConversationSource } | undefined {
  const candidates = [...headers.inReplyTo, ...[...headers.references].reverse()];
  for (const id of candidates) {
    const known = lookup(id);
    if (known !== undefined) return { conversationId: known, source: 'known-message-id' };
    const match = OUR_ID.exec(id);
    if (match?.[1] !== undefined) return { conversationId: match[1], source: 'airut-message-id' };
  }
  const tag = headers.subject === undefined ? null : SUBJECT_TAG.exec(headers.subject);
  if (tag?.[1] !== undefined) return { conversationId: tag[1], source: 'subject-tag' };
  return undefined;
}

/** `Re: [ID:xxxxxxxx] subject`, without stacking `Re:` prefixes or repeating the tag. */
export function replySubject(subject: string | undefined, conversationId: string): string {
  let base = (subject ?? '').trim();
  for (;;) {
    const stripped = base.replace(/^(re|aw|sv|antw)\s*:\s*/i, '');
    if (stripped === base) break;
    base = stripped;
  }
  const tag = `[ID:${conversationId}]`;
  if (base.includes(tag)) return `Re: ${base}`;
  return base === '' ? `Re: ${tag}` : `Re: ${tag} ${base}`;
}
