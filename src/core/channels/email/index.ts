/**
 * The email channel: an IMAP inbox per repo as a work queue, sender
 * authentication (provider Authentication-Results or local DKIM/DMARC), the
 * sender allowlist, mail parsing and threaded SMTP replies.
 */
export { EmailChannel, PROCESSING_FLAG, type EmailChannelOptions, type RejectedMail } from './email-channel.js';
export { EmailChannelError, type EmailChannelErrorCode } from './error.js';
export { authenticateSender, type SenderPolicy, type SenderVerdict } from './authenticate-sender.js';
export type { DnsResolver } from './local-verdict.js';
export { parseAuthenticationResults, type AuthenticationResults, type AuthResult, type AuthResultProperty, type AuthResultsParse } from './authentication-results.js';
export { judgeDmarcResults, type DmarcVerdict } from './dmarc-judgement.js';
export type { Backoff } from './backoff.js';
export type { SmtpRetry } from './smtp-sender.js';
export { markdownToHtml } from './markdown-to-html.js';
export { htmlToText } from './html-to-text.js';
export { replySubject, resolveConversation, subjectTags, createMessageId } from './threading.js';
