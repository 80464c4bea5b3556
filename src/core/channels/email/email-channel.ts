/**
 * The email channel of one repo: its own IMAP inbox as a work queue, sender
 * authentication, and threaded SMTP replies.
 *
 * Nothing lost, nothing answered twice: a mail stays in the inbox (flagged
 * `$AirutProcessing` while it runs) until `complete()` or a rejection removes
 * it; after a crash every mail still there is looked at again, and the stored
 * record of handled Message-IDs keeps an answered one from being run twice.
 * A reply sent again after a crash carries the Message-ID of the first try.
 */
import type { ImapFlow, ImapFlowOptions } from 'imapflow';
import type { ConnectionOptions } from 'node:tls';
import type { ChannelAdapter, ChannelState, IncomingMessage, MessageHandler, NewThread, OutgoingReply } from '../channel.js';
import type { EmailChannelConfig } from '../../config/index.js';
import type { Logger } from '../../log/index.js';
import { authenticateSender, type SenderPolicy } from './authenticate-sender.js';
import { DEFAULT_BACKOFF, type Backoff } from './backoff.js';
import { EmailChannelError } from './error.js';
import { InboxWatcher } from './inbox-watcher.js';
import { clientCredentialsOf, OAuth2TokenSource } from './oauth2-token.js';
import type { DnsResolver } from './local-verdict.js';
import { parseEmail } from './parse-message.js';
import { readRawHeaders, headerValues } from './raw-headers.js';
import { buildReplyMail } from './reply-mail.js';
import { SmtpSender, type SmtpRetry } from './smtp-sender.js';
import { EmailStateStore } from './state-store.js';
import { buildThreadMail } from './thread-mail.js';
import { replyMessageId } from './reply-message-id.js';
import { messageIdTokens, resolveConversation } from './threading.js';

/** IMAP keyword on a mail the gateway is working on. */
export const PROCESSING_FLAG = '$AirutProcessing';

/** A mail refused before any task: forged, malformed or not on the allowlist. */
export interface RejectedMail {
  repoId: string;
  messageId: string;
  kind: 'auth_failed' | 'unauthorized';
  reason: string;
  sender: string | undefined;
}

/** Options of {@link EmailChannel}. */
export interface EmailChannelOptions {
  repoId: string;
  config: EmailChannelConfig;
  /** Directory for the handled-Message-ID and sent-Message-ID records of this repo. */
  stateDir: string;
  logger: Logger;
  clock?: () => Date;
  /** DNS for `verify: local`; the system resolver when absent. */
  resolver?: DnsResolver;
  backoff?: Backoff;
  smtpRetry?: SmtpRetry;
  /** Extra TLS options for IMAP and SMTP (e.g. a private CA). */
  tls?: ConnectionOptions;
  /** Told about every rejected mail (the gateway's task tracker listens here). */
  onRejected?: (rejected: RejectedMail) => void;
  /** `fetch` for the OAuth2 token endpoint (`microsoft_oauth2`); the global one by default. */
  fetch?: typeof fetch;
  /**
   * Whether a conversation exists in this repo. Our Message-ID format is shared
   * by every repo, so threading asks before it follows an id to a conversation;
   * without it every id found counts as this repo's.
   */
  conversationExists?: (conversationId: string) => Promise<boolean>;
}

interface InFlight {
  uid: number;
  /** UIDs only mean something within one UIDVALIDITY of the mailbox. */
  uidValidity: bigint | undefined;
  references: string[];
}

/** {@link ChannelAdapter} for email. */
export class EmailChannel implements ChannelAdapter {
  readonly kind = 'email' as const;
  private readonly clock: () => Date;
  private readonly log: Logger;
  private readonly policy: SenderPolicy;
  private readonly smtp: SmtpSender;
  private readonly watcher: InboxWatcher;
  /** XOAUTH2 tokens for IMAP and SMTP, when the mailbox logs in with `microsoft_oauth2`. */
  private readonly oauth2: OAuth2TokenSource | undefined;
  private readonly inFlight = new Map<string, InFlight>();
  /** `uidvalidity:uid` of mails that could not be processed; left alone until restart. */
  private readonly unprocessable = new Set<string>();
  private store: EmailStateStore | undefined;
  private onMessage: MessageHandler | undefined;

  constructor(private readonly options: EmailChannelOptions) {
    const { config } = options;
    this.clock = options.clock ?? (() => new Date());
    this.log = options.logger.child({ channel: 'email', repo: options.repoId });
    const trusted = config.trusted_authserv_id;
    if (config.verify === 'provider' && trusted === undefined) {
      throw new EmailChannelError('EMAIL_CONFIG_INVALID', `repo ${options.repoId}: email.verify is 'provider' but email.trusted_authserv_id is not set`, {
        hint: "Set email.trusted_authserv_id to your provider's authserv-id (e.g. mx.google.com), or use verify: local.",
      });
    }
    this.policy = {
      verify: config.verify,
      trustedAuthservId: trusted ?? '',
      microsoftInternalFallback: config.microsoft_internal_fallback,
      authorizedSenders: config.authorized_senders,
      ...(options.resolver === undefined ? {} : { resolver: options.resolver }),
    };
    const oauth2 = config.microsoft_oauth2 === undefined
      ? undefined
      : new OAuth2TokenSource(clientCredentialsOf(config.microsoft_oauth2), {
        clock: this.clock,
        ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      });
    this.oauth2 = oauth2;
    this.smtp = new SmtpSender({
      host: config.smtp_server,
      port: config.smtp_port,
      security: config.smtp_security,
      requireAuth: config.smtp_require_auth,
      username: config.username,
      password: config.password,
      ...(oauth2 === undefined ? {} : { oauth2: (renew: boolean) => oauth2.tokenWithExpiry(renew) }),
      ...(options.tls === undefined ? {} : { tls: options.tls }),
    }, options.smtpRetry);
    this.watcher = new InboxWatcher({
      connect: (renew) => this.imapOptions(renew),
      useIdle: config.use_imap_idle,
      pollIntervalMs: config.poll_interval * 1000,
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      startAttempts: Math.max(1, config.imap_connect_retries),
      scan: (client) => this.scan(client),
      onError: (description, attempt, retryInMs) => {
        this.log.warn('IMAP connection failed; retrying', { attempt, retry_in_ms: retryInMs, error: description });
      },
      clock: this.clock,
    });
  }

  /**
   * Opens the state store and starts watching the inbox. Resolves once
   * connected, or after `imap_connect_retries` failed attempts, with `state()`
   * in `backoff` and the loop still retrying.
   */
  async start(onMessage: MessageHandler): Promise<void> {
    this.store = await EmailStateStore.open(this.options.stateDir);
    this.onMessage = onMessage;
    await this.watcher.start();
  }

  /** Stops watching; mails not yet completed stay in the inbox for the next start. */
  async stop(): Promise<void> {
    await this.watcher.stop();
    this.smtp.close();
  }

  /** Connection state of the inbox. */
  state(): ChannelState {
    return this.watcher.state();
  }

  /**
   * Answers `message` in its thread. The Message-ID is derived from the
   * conversation, the answered message and the kind of reply (acknowledgement
   * or answer), so the same reply sent again after a crash has the same id and
   * is shown once. It is recorded before sending, so a reply to it finds its
   * conversation even when the service dies right after the send. A result or
   * error reply also marks the message handled.
   */
  async reply(message: IncomingMessage, conversationId: string, reply: OutgoingReply): Promise<void> {
    const store = this.requireStore();
    const now = this.clock();
    const messageId = replyMessageId(conversationId, message.messageId, reply.kind === 'acknowledgement' ? 'ack' : 'reply', this.options.config.from);
    await store.recordSent(messageId, conversationId, now);
    const mail = buildReplyMail({
      from: this.options.config.from,
      to: recipientOf(message.sender),
      subject: message.subject,
      conversationId,
      inReplyTo: message.messageId,
      references: this.inFlight.get(message.messageId)?.references ?? [],
      messageId,
      markdown: reply.markdown,
      footer: this.options.config.footer ? reply.footer : undefined,
      attachments: reply.attachments,
      date: now,
    });
    await this.smtp.send(mail);
    if (reply.kind !== 'acknowledgement') await store.markHandled(message.messageId, now);
    this.log.info('reply sent', { kind: reply.kind, conversation: conversationId, message_id: messageId, in_reply_to: message.messageId });
  }

  /**
   * Sends a new mail to `thread.to` in the conversation's own thread. Its
   * Message-ID is derived from the conversation and `thread.key` and recorded
   * before the send, so the recipient's reply (In-Reply-To) finds the
   * conversation; the reply still has to pass sender authentication and the
   * allowlist like any other mail.
   */
  async startThread(thread: NewThread): Promise<void> {
    const store = this.requireStore();
    const now = this.clock();
    const messageId = replyMessageId(thread.conversationId, thread.key, 'thread', this.options.config.from);
    await store.recordSent(messageId, thread.conversationId, now);
    await this.smtp.send(buildThreadMail({
      from: this.options.config.from,
      to: thread.to,
      subject: thread.subject,
      conversationId: thread.conversationId,
      messageId,
      markdown: thread.reply.markdown,
      footer: this.options.config.footer ? thread.reply.footer : undefined,
      attachments: thread.reply.attachments,
      date: now,
    }));
    this.log.info('new thread sent', { kind: thread.reply.kind, conversation: thread.conversationId, message_id: messageId, to: thread.to });
  }

  /** Marks `message` handled and has it removed from the inbox by the next scan (at once when connected). */
  async complete(message: IncomingMessage): Promise<void> {
    await this.requireStore().markHandled(message.messageId, this.clock());
    const entry = this.inFlight.get(message.messageId);
    if (entry === undefined) {
      // Handed over before a restart: the next scan finds it by its handled record and removes it.
      this.watcher.wake();
      return;
    }
    // The watcher's session removes it on its next scan: a command issued from here would end
    // IDLE behind the watcher's back, and imapflow's IDLE re-entry can slip in between the
    // STORE and EXPUNGE of a delete and hold that EXPUNGE (and the inbox) forever.
    this.inFlight.delete(message.messageId);
    this.watcher.wake();
  }

  /** Connection options; after a refused login the OAuth2 token is fetched anew (it may have been revoked). */
  private async imapOptions(renew: boolean): Promise<ImapFlowOptions> {
    const { config } = this.options;
    const auth = this.oauth2 === undefined
      ? { user: config.username, pass: config.password ?? '' }
      : { user: config.username, accessToken: await this.oauth2.token(renew) };
    const security = config.imap_security === 'auto' ? (config.imap_port === 993 ? 'tls' : 'starttls') : config.imap_security;
    return {
      host: config.imap_server,
      port: config.imap_port,
      secure: security === 'tls',
      doSTARTTLS: security === 'starttls' ? true : security === 'none' ? false : undefined,
      auth,
      logger: false,
      maxIdleTime: config.idle_reconnect_interval * 1000,
      connectionTimeout: 10_000,
      ...(this.options.tls === undefined ? {} : { tls: this.options.tls }),
    };
  }

  private requireStore(): EmailStateStore {
    if (this.store === undefined) {
      throw new EmailChannelError('EMAIL_UNKNOWN_MESSAGE', `repo ${this.options.repoId}: the email channel was used before start()`, {
        hint: 'Call start() before reply() or complete().',
      });
    }
    return this.store;
  }

  /** One look at the inbox: every mail not already in flight is removed, rejected or handed over. */
  private async scan(client: ImapFlow): Promise<void> {
    const validity = uidValidityOf(client);
    const inFlightUids = new Set([...this.inFlight.values()].filter((e) => e.uidValidity === validity).map((e) => e.uid));
    const uids = (await client.search({ deleted: false }, { uid: true })) || [];
    for (const uid of uids) {
      const key = `${String(validity)}:${uid}`;
      if (inFlightUids.has(uid) || this.unprocessable.has(key)) continue;
      const fetched = await client.fetchOne(String(uid), { source: true }, { uid: true });
      if (fetched === false || fetched.source === undefined) continue;
      try {
        await this.consider(client, uid, fetched.source);
      } catch (err) {
        // A lost connection is the watcher's business; one bad mail must not stall the inbox.
        if (!client.usable) throw err;
        this.unprocessable.add(key);
        this.log.error('could not process a mail; it stays in the inbox until restart', { uid, error: err instanceof Error ? err.message : String(err) });
      }
    }
  }

  private async consider(client: ImapFlow, uid: number, raw: Buffer): Promise<void> {
    const store = this.requireStore();
    const headers = readRawHeaders(raw);
    const headerId = messageIdTokens(headerValues(headers, 'message-id')[0])[0];
    if (headerId !== undefined && this.inFlight.has(headerId)) return;
    if (headerId !== undefined && store.isHandled(headerId)) {
      this.log.info('removing a mail that was already handled', { message_id: headerId });
      await client.messageDelete(String(uid), { uid: true });
      return;
    }
    const autoSubmitted = headerValues(headers, 'auto-submitted')[0]?.trim().toLowerCase();
    if (autoSubmitted !== undefined && autoSubmitted !== '' && !autoSubmitted.startsWith('no')) {
      // Out-of-office and other machine replies would otherwise start a mail loop with us.
      const messageId = headerId ?? (await parseEmail(raw, 0)).messageId;
      this.log.info('ignoring an automatic mail', { message_id: messageId, auto_submitted: autoSubmitted });
      await store.markHandled(messageId, this.clock());
      await client.messageDelete(String(uid), { uid: true });
      return;
    }
    const verdict = await authenticateSender(raw, this.policy);
    if (!verdict.accepted) {
      const messageId = headerId ?? (await parseEmail(raw, 0)).messageId;
      this.log.warn('mail rejected', { kind: verdict.kind, reason: verdict.reason, sender: verdict.address, message_id: messageId });
      await store.markHandled(messageId, this.clock());
      await client.messageDelete(String(uid), { uid: true });
      this.options.onRejected?.({ repoId: this.options.repoId, messageId, kind: verdict.kind, reason: verdict.reason, sender: verdict.address });
      return;
    }
    const parsed = await parseEmail(raw, this.options.config.max_attachment_bytes);
    if (this.inFlight.has(parsed.messageId)) return;
    if (store.isHandled(parsed.messageId)) {
      await client.messageDelete(String(uid), { uid: true });
      return;
    }
    const exists = this.options.conversationExists;
    const thread = await resolveConversation(
      { inReplyTo: parsed.inReplyTo, references: parsed.references, subject: parsed.subject },
      (id) => store.conversationOf(id),
      exists === undefined ? undefined : (id) => exists(id),
    );
    const message: IncomingMessage = {
      channel: 'email',
      repoId: this.options.repoId,
      messageId: parsed.messageId,
      conversationId: thread?.conversationId,
      sender: parsed.displayName === undefined ? verdict.address : `${parsed.displayName} <${verdict.address}>`,
      subject: parsed.subject,
      text: withSkippedNote(parsed.text, parsed.skippedAttachments),
      attachments: parsed.attachments,
      receivedAt: this.clock(),
      modelHint: parsed.modelHint,
    };
    for (const skipped of parsed.skippedAttachments) this.log.warn('attachment not saved', { message_id: parsed.messageId, attachment: skipped });
    await client.messageFlagsAdd(String(uid), [PROCESSING_FLAG], { uid: true });
    this.inFlight.set(parsed.messageId, { uid, uidValidity: uidValidityOf(client), references: parsed.references });
    this.log.info('mail accepted', { message_id: parsed.messageId, sender: verdict.address, conversation: thread?.conversationId, found_by: thread?.source });
    const handler = this.onMessage;
    if (handler === undefined) return;
    // The handler only takes the message over; it must not hold up the inbox scan for the task's run.
    await handler(message).catch((err: unknown) => {
      this.inFlight.delete(parsed.messageId);
      this.log.error('the gateway did not take a mail; it stays in the inbox', { message_id: parsed.messageId, error: err instanceof Error ? err.message : String(err) });
    });
  }
}

function uidValidityOf(client: ImapFlow): bigint | undefined {
  return client.mailbox === false ? undefined : client.mailbox.uidValidity;
}

/**
 * `Name <address>` as a structured recipient, so a display name holding a
 * comma is not read as two addresses.
 */
function recipientOf(sender: string): { name: string; address: string } | string {
  const match = /^(.*?)\s*<([^<>]+)>$/.exec(sender.trim());
  if (match?.[2] === undefined) return sender;
  return { name: (match[1] ?? '').replace(/^"|"$/g, ''), address: match[2] };
}

/** The sender should know which files did not reach the agent, and so should the agent. */
function withSkippedNote(text: string, skipped: readonly string[]): string {
  if (skipped.length === 0) return text;
  return `${text}\n\n[Attachments not saved: ${skipped.join('; ')}]`;
}
