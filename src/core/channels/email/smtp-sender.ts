/**
 * Sending mail over SMTP with nodemailer: implicit TLS, STARTTLS or (loopback
 * tests only) plain; login when required; transient failures (4xx replies,
 * dropped or refused connections) retried with a short backoff.
 */
import { createTransport, type Transporter } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { ConnectionOptions } from 'node:tls';
import { EmailChannelError } from './error.js';

/** Where and how to send. */
export interface SmtpSettings {
  host: string;
  port: number;
  security: 'auto' | 'tls' | 'starttls' | 'none';
  requireAuth: boolean;
  username: string;
  password: string | undefined;
  /** XOAUTH2 instead of the password: hands out an access token (a new one when `renew`) and its expiry (epoch ms). */
  oauth2?: (renew: boolean) => Promise<{ value: string; expiresAt: number }>;
  /** Extra TLS options (e.g. a test CA). */
  tls?: ConnectionOptions;
}

/** Retry policy; `sleep` is injectable so tests need not wait. */
export interface SmtpRetry {
  attempts: number;
  delaysMs: readonly number[];
  sleep: (ms: number) => Promise<void>;
}

const DEFAULT_RETRY: SmtpRetry = {
  attempts: 3,
  delaysMs: [1000, 5000],
  sleep: (ms) => new Promise((resolve) => { setTimeout(resolve, ms); }),
};

const TRANSIENT_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'ECONNRESET', 'ECONNREFUSED', 'EDNS', 'EPIPE']);

/** Sends mails through one SMTP server. */
export class SmtpSender {
  private readonly transport: Transporter;

  constructor(private readonly settings: SmtpSettings, private readonly retry: SmtpRetry = DEFAULT_RETRY) {
    const security = settings.security === 'auto' ? (settings.port === 465 ? 'tls' : 'starttls') : settings.security;
    const options: SMTPTransport.Options = {
      host: settings.host,
      port: settings.port,
      secure: security === 'tls',
      requireTLS: security === 'starttls',
      ignoreTLS: security === 'none',
      ...(settings.requireAuth ? { auth: authOf(settings) } : {}),
      ...(settings.tls === undefined ? {} : { tls: settings.tls }),
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 60_000,
    };
    this.transport = createTransport(options);
    const { oauth2 } = settings;
    if (oauth2 !== undefined) {
      // nodemailer asks again with `renew` when the server refused the token it had.
      this.transport.set('oauth2_provision_cb', (_user, renew, callback) => {
        oauth2(renew).then((token) => { callback(null, token.value, token.expiresAt); }, (err: unknown) => {
          callback(err instanceof Error ? err : new Error(String(err)));
        });
      });
    }
  }

  /** Sends `mail`, retrying transient failures; throws {@link EmailChannelError} `EMAIL_SMTP_FAILED` at the end. */
  async send(mail: Mail.Options): Promise<void> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.retry.attempts; attempt += 1) {
      try {
        await this.transport.sendMail(mail);
        return;
      } catch (err) {
        lastError = err;
        if (!isTransient(err) || attempt === this.retry.attempts) break;
        await this.retry.sleep(this.retry.delaysMs[attempt - 1] ?? this.retry.delaysMs[this.retry.delaysMs.length - 1] ?? 0);
      }
    }
    const detail = lastError instanceof Error ? lastError.message : String(lastError);
    throw new EmailChannelError('EMAIL_SMTP_FAILED', `sending mail through ${this.settings.host}:${this.settings.port} failed: ${detail}`, {
      cause: lastError,
      hint: 'Check email.smtp_server, smtp_port, smtp_security and the mailbox credentials in airut.yaml.',
    });
  }

  /** Closes pooled connections. */
  close(): void {
    this.transport.close();
  }
}

function authOf(settings: SmtpSettings): SMTPTransport.Options['auth'] {
  return settings.oauth2 === undefined ? { user: settings.username, pass: settings.password ?? '' } : { type: 'OAuth2', user: settings.username };
}

/** 4xx replies and connection-level failures are worth another try; 5xx and auth failures are not. */
export function isTransient(err: unknown): boolean {
  if (err === null || typeof err !== 'object') return false;
  const { responseCode, code } = err as { responseCode?: unknown; code?: unknown };
  if (typeof responseCode === 'number') return responseCode >= 400 && responseCode < 500;
  return typeof code === 'string' && TRANSIENT_CODES.has(code);
}
