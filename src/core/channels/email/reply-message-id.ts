import { createHash } from 'node:crypto';
import { domainToASCII } from 'node:url';

/** Which of the two replies a message can get (the acknowledgement or the answer), or `thread`: a message that opens a thread. */
export type ReplyRole = 'ack' | 'reply' | 'thread';

/**
 * The Message-ID of our reply to `answering` in `conversationId`, the same
 * every time it is computed: a reply sent again after a crash carries the
 * Message-ID of the first attempt, so mail clients and providers show it once.
 *
 * The form `<airut.<conversation>.<role>.<hash>@<domain>>` keeps the
 * conversation readable for threading; the hash covers conversation, answered
 * Message-ID and role, so different replies never share an id. The domain is
 * the sender's (`from`), as RFC 5322 asks.
 */
export function replyMessageId(conversationId: string, answering: string, role: ReplyRole, from: string): string {
  const digest = createHash('sha256').update(`${conversationId}\n${answering}\n${role}`).digest('hex').slice(0, 32);
  return `<airut.${conversationId === '' ? 'none' : conversationId}.${role}.${digest}@${domainOf(from)}>`;
}

/** The domain of the address in `from` (`Name <user@domain>` or `user@domain`), lower-case ASCII; `localhost` when there is none. */
function domainOf(from: string): string {
  const address = /<([^<>]*)>/.exec(from)?.[1] ?? from;
  const at = address.lastIndexOf('@');
  // An internationalised domain goes into the header in its ASCII (punycode) form.
  const domain = at < 0 ? '' : domainToASCII(address.slice(at + 1).trim());
  return /^[a-z0-9.-]+$/.test(domain) ? domain : 'localhost';
}
