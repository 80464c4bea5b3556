/**
 * The mail that opens a new thread (a scheduled task's result) as plain
 * data, built without side effects like {@link buildReplyMail}.
 */
import type Mail from 'nodemailer/lib/mailer/index.js';
import { markdownToHtml } from './markdown-to-html.js';

/** What a new-thread mail is built from. */
export interface ThreadMailInput {
  from: string;
  to: string;
  /** Subject without the conversation tag. */
  subject: string;
  conversationId: string;
  /** Our Message-ID for it; a reply's In-Reply-To leads back to the conversation. */
  messageId: string;
  markdown: string;
  footer: string | undefined;
  attachments: readonly { filename: string; path: string }[];
  date: Date;
}

/** `[ID:xxxxxxxx] subject`, no In-Reply-To or References: a thread of its own. */
export function buildThreadMail(input: ThreadMailInput): Mail.Options {
  const markdown = input.footer === undefined || input.footer.trim() === ''
    ? input.markdown
    : `${input.markdown.trimEnd()}\n\n*${input.footer.trim()}*`;
  const subject = input.subject.replace(/[\r\n]+/g, ' ').trim();
  return {
    from: input.from,
    to: input.to,
    subject: subject === '' ? `[ID:${input.conversationId}]` : `[ID:${input.conversationId}] ${subject}`,
    messageId: input.messageId,
    date: input.date,
    // RFC 3834: a message sent on a timer is auto-generated; auto-responders must not answer it.
    headers: { 'Auto-Submitted': 'auto-generated' },
    text: markdown,
    html: `<!DOCTYPE html><html><body style="font-family:sans-serif;">${markdownToHtml(markdown)}</body></html>`,
    attachments: input.attachments.map((a) => ({ filename: a.filename, path: a.path })),
  };
}
