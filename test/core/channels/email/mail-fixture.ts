/**
 * One test's world: the mail provider with the gateway's inbox and users'
 * mailboxes, and a factory for EmailChannels on it that records log lines and
 * handed-over messages.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { IncomingMessage } from '../../../../src/core/channels/index.js';
import type { EmailChannelConfig } from '../../../../src/core/config/index.js';
import { EmailChannel, type EmailChannelOptions, type RejectedMail } from '../../../../src/core/channels/email/index.js';
import { Logger, type LogRecord } from '../../../../src/core/log/index.js';
import type { DovecotTls } from '../../../harness/mail/dovecot.js';
import { startMailProvider, type MailProvider, type ProviderUser } from '../../../harness/mail/mail-provider.js';

export const AUTHSERV_ID = 'mx.provider.test';
export const GATEWAY: ProviderUser = { address: 'airut@corp.test', password: 'gateway-pw' };
export const ALICE: ProviderUser = { address: 'alice@corp.test', password: 'alice-pw' };
export const BOB: ProviderUser = { address: 'bob@corp.test', password: 'bob-pw' };
export const MALLORY: ProviderUser = { address: 'mallory@evil.test', password: 'mallory-pw' };

/** Starts the provider for `t` (optionally with TLS) and closes it at the end. */
export async function provider(t: Test, tls?: DovecotTls): Promise<MailProvider> {
  const p = await startMailProvider({ authservId: AUTHSERV_ID, users: [GATEWAY, ALICE, BOB, MALLORY], ...(tls === undefined ? {} : { tls }) });
  t.teardown(() => p.close());
  return p;
}

/** The repo's email block pointing at `p`. */
export function emailConfig(p: MailProvider, overrides: Partial<EmailChannelConfig> = {}): EmailChannelConfig {
  return {
    imap_server: '127.0.0.1',
    imap_port: p.dovecot.port,
    imap_security: 'none',
    imap_connect_retries: 1,
    use_imap_idle: true,
    // Long: IDLE tests must see the push, not a scan after the poll interval.
    poll_interval: 60,
    idle_reconnect_interval: 1740,
    smtp_server: '127.0.0.1',
    smtp_port: p.smtpPort,
    smtp_security: 'none',
    smtp_require_auth: true,
    username: GATEWAY.address,
    password: GATEWAY.password,
    from: `Airut <${GATEWAY.address}>`,
    authorized_senders: [ALICE.address, '*@partner.test'],
    verify: 'provider',
    trusted_authserv_id: AUTHSERV_ID,
    microsoft_internal_fallback: false,
    acknowledge: true,
    footer: true,
    max_attachment_bytes: 1024 * 1024,
    ...overrides,
  };
}

/** A channel under test with what it handed over, rejected and logged. */
export interface ChannelProbe {
  channel: EmailChannel;
  received: IncomingMessage[];
  rejected: RejectedMail[];
  logs: LogRecord[];
  /** Resolves with the next handed-over message. */
  nextMessage(): Promise<IncomingMessage>;
  /** Resolves with the next rejection. */
  nextRejection(): Promise<RejectedMail>;
  /** Resolves with the next log record whose message is `message`. */
  nextLog(message: string): Promise<LogRecord>;
}

/** Makes (and starts) a channel on `p`; its state dir is `stateDir` or a fresh temp dir. */
export async function startChannel(
  t: Test,
  p: MailProvider,
  options: { config?: Partial<EmailChannelConfig>; stateDir?: string; extra?: Partial<EmailChannelOptions> } = {},
): Promise<ChannelProbe> {
  const stateDir = options.stateDir ?? (await tempDir(t));
  const received: IncomingMessage[] = [];
  const rejected: RejectedMail[] = [];
  const logs: LogRecord[] = [];
  const messageWaiters: ((m: IncomingMessage) => void)[] = [];
  const rejectionWaiters: ((r: RejectedMail) => void)[] = [];
  const logWaiters: { message: string; resolve: (r: LogRecord) => void }[] = [];
  const channel = new EmailChannel({
    repoId: 'repo-one',
    config: emailConfig(p, options.config),
    stateDir,
    logger: new Logger((record) => {
      logs.push(record);
      const at = logWaiters.findIndex((w) => w.message === record.message);
      if (at >= 0) logWaiters.splice(at, 1)[0]?.resolve(record);
    }),
    backoff: { initialMs: 50, maxMs: 400 },
    smtpRetry: { attempts: 2, delaysMs: [10], sleep: (ms) => new Promise((r) => { setTimeout(r, ms); }) },
    onRejected: (r) => {
      rejected.push(r);
      rejectionWaiters.shift()?.(r);
    },
    ...options.extra,
  });
  await channel.start((message) => {
    received.push(message);
    messageWaiters.shift()?.(message);
    return Promise.resolve();
  });
  t.teardown(() => channel.stop());
  return {
    channel,
    received,
    rejected,
    logs,
    nextMessage: () => new Promise((resolve) => messageWaiters.push(resolve)),
    nextRejection: () => new Promise((resolve) => rejectionWaiters.push(resolve)),
    nextLog: (message) => new Promise((resolve) => logWaiters.push({ message, resolve })),
  };
}

/** A temp dir removed after `t`. */
export async function tempDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'airut-email-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
