/**
 * The reply mail as plain data (nodemailer message options), built without
 * side effects so it can be inspected and tested before anything is sent.
 */
import type Mail from 'nodemailer/lib/mailer/index.js';
import { markdownToHtml } from './markdown-to-html.js';
import { replySubject } from './threading.js';

/** What a reply is built from. */
export interface ReplyMailInput {
  from: string;
  /** The sender of the message being answered, e.g. `Ada <ada@example.com>`. */
  to: string | { name: string; address: string };
  /** Subject of the message being answered (decoded). */
  subject: string | undefined;
  conversationId: string;
  /** Message-ID of the message being answered. */
  inReplyTo: string;
  /** References of the message being answered. */
  references: readonly string[];
  /** Our Message-ID for this reply. */
  messageId: string;
  markdown: string;
  footer: string | undefined;
  attachments: readonly { filename: string; path: string }[];
  date: Date;
}

/** Builds the nodemailer options of one reply: multipart text + HTML, threading headers, files. */
export function buildReplyMail(input: ReplyMailInput): Mail.Options {
  const markdown = input.footer === undefined || input.footer.trim() === ''
    ? input.markdown
    : `${input.markdown.trimEnd()}\n\n*${input.footer.trim()}*`;
  const references = [...input.references.filter((r) => r !== input.inReplyTo), input.inReplyTo];
  return {
    from: input.from,
    to: input.to,
    subject: replySubject(input.subject, input.conversationId),
    messageId: input.messageId,
    inReplyTo: input.inReplyTo,
    references: references.join(' '),
    date: input.date,
    // RFC 3834: tells auto-responders not to answer, so out-of-office replies cannot loop.
    headers: { 'Auto-Submitted': 'auto-replied' },
    text: markdown,
    html: `<!DOCTYPE html><html><body style="font-family:sans-serif;">${markdownToHtml(markdown)}</body></html>`,
    attachments: input.attachments.map((a) => ({ filename: a.filename, path: a.path })),
  };
}
