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
const SUBJECT_TAGS = /\[ID:([0-9a-f]{8})\]/g;

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

interface Candidate {
  conversationId: string;
  source: ConversationSource;
}

/**
 * The conversation an incoming mail continues.
 *
 * `In-Reply-To` first, then `References` newest first; each id is looked up in
 * `lookup` (ids this repo sent, always ours) or read as one of our ids; then
 * the subject tags in order. Our id format is shared by every repo, so an id
 * read from a header only counts when `isOurs` says its conversation exists in
 * this repo: a reply to another repo's mail must not hide a tag of ours. When
 * nothing is known to be ours, the first candidate is returned as before (the
 * gateway starts a new conversation for an id it does not have).
 */
export async function resolveConversation(
  headers: ThreadHeaders,
  lookup: (messageId: string) => string | undefined,
  isOurs: (conversationId: string) => boolean | Promise<boolean> = () => true,
): Promise<Candidate | undefined> {
  const fromHeaders: Candidate[] = [];
  for (const id of [...headers.inReplyTo, ...[...headers.references].reverse()]) {
    const known = lookup(id);
    if (known !== undefined) return { conversationId: known, source: 'known-message-id' };
    const match = OUR_ID.exec(id);
    if (match?.[1] !== undefined) fromHeaders.push({ conversationId: match[1], source: 'airut-message-id' });
  }
  const tags = subjectTags(headers.subject).map((id): Candidate => ({ conversationId: id, source: 'subject-tag' }));
  const candidates = [...fromHeaders, ...tags];
  const asked = new Set<string>();
  for (const candidate of candidates) {
    if (asked.has(candidate.conversationId)) continue;
    asked.add(candidate.conversationId);
    if (await isOurs(candidate.conversationId)) return candidate;
  }
  return candidates[0];
}

/** The conversation ids of every `[ID:xxxxxxxx]` tag in `subject`, in order. */
export function subjectTags(subject: string | undefined): string[] {
  if (subject === undefined) return [];
  return [...subject.matchAll(SUBJECT_TAGS)].flatMap((m) => (m[1] === undefined ? [] : [m[1]]));
}

/**
 * `Re: [ID:xxxxxxxx] subject`, without stacking `Re:` prefixes: the tag of
 * `conversationId` comes first and once, and tags of other conversations
 * (cited from another repo or a stale thread) are dropped, so the subject
 * names one conversation only.
 */
export function replySubject(subject: string | undefined, conversationId: string): string {
  let base = (subject ?? '').replace(SUBJECT_TAGS, ' ').replace(/\s+/g, ' ').trim();
  for (;;) {
    const stripped = base.replace(/^(re|aw|sv|antw)\s*:\s*/i, '');
    if (stripped === base) break;
    base = stripped;
  }
  const tag = `[ID:${conversationId}]`;
  return base === '' ? `Re: ${tag}` : `Re: ${tag} ${base}`;
}
